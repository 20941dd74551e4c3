# greetkit: integer arithmetic.
# Source this file; it defines shell functions.

## add A B: print A + B.
add() {
  echo $(($1 + $2))
}
