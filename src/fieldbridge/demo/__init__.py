"""`fieldbridge demo`: both emulators and the broker on loopback, a connector set up as a person would, and
the story of one ticket through Field Nation and back, every step checked against the emulators' state.

`command` is what the CLI imports; it is light, so `fieldbridge --help` does not load the emulators."""
