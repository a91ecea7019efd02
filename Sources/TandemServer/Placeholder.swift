// Placeholder until the TandemServer layer lands.
