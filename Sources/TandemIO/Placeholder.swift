// Placeholder until the TandemIO layer lands.
