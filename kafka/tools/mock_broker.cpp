// kafka-mock-broker (placeholder until kafka/ lands).
int main() { return 0; }
