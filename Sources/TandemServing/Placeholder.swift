// Placeholder until the TandemServing layer lands.
