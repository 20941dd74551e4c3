# greetkit: greetings.
# Source this file; it defines shell functions.

## greet NAME: print "Hello, NAME!".
greet() {
  printf 'Hello, %s!\n' "$1"
}
