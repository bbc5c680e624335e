"""Network directory: ESS structure profiles, membership of the network, search, open data."""
