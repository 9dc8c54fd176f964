"""Meta, offline: the replay of every page state under the real URLs, the stand-in person
and operator, and the demo. The tests and the demo use it; nothing else in widerspruch
imports it."""
