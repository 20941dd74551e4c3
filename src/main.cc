#include <cstdio>
int main() { std::puts("orchestrate " ORCHESTRATE_VERSION); return 0; }
