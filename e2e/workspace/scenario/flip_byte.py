"""flip_byte.py IN OUT OFFSET: copies IN to OUT with the byte at OFFSET inverted."""

import sys

data = bytearray(open(sys.argv[1], "rb").read())
offset = int(sys.argv[3])
if offset >= len(data):
    sys.exit("flip_byte.py: %s has %d bytes, no offset %d" % (sys.argv[1], len(data), offset))
data[offset] ^= 0xFF
open(sys.argv[2], "wb").write(bytes(data))
