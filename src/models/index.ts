import 'flowsentry/register';
