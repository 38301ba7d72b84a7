/* A library that only the launching node has: the shipped program needs it. */
const char* shipped_greeting(void) { return "greeting from a library of the launching node"; }
