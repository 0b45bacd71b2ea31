#!/usr/bin/env node
import 'flowsentry/register';
console.log('flowsentry');
