// Placeholder until the TandemHTTP layer lands.
