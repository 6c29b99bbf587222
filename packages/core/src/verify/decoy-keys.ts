/**
 * Public keys no sender holds (their private keys were thrown away when they
 * were made), one per key type: an unknown tenant's request is checked with
 * the decoy of the verifier's key type, so it costs what a known tenant's
 * does, and is then refused whatever the check says.
 */
export const decoyPublicKeys = {
  ed25519: `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJEoj7RsK0eaBhtkBWe6kXACXpCkDDCvylYOu1iE+JU4=
-----END PUBLIC KEY-----`,
  p256: `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaBfauB1q6fU/MzB9lCOetUfhKnbH
jlKUx0R7v2m/G9e6wXpP7TmIxddd+KwVJWqN0/lnmsD8OLnEC4Tesfs/mA==
-----END PUBLIC KEY-----`,
  p384: `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEE5gRTSsk8X8M3wGpMx3DvN6VqNE49W2g
20gyIHP+oiv7cOjBQBTPvBY8aD5dJdkCgxEBdbl4lEeb5waNgVhdzJbZPSTctQNX
gnIrD47rIuPcNdLS7/RX8LKc4sqCw/4p
-----END PUBLIC KEY-----`,
  p521: `-----BEGIN PUBLIC KEY-----
MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQA6gzTnZyX/Hiv7ePbIXTGaPTG/FoN
OQMCcrkDgclfhroMgaGrJOpIcdx4EPuqhfXOK+26MFK6SRPXlgc9xTbZBr8AoYpA
ddOsMWSVeYfviD1OKFNp1lfX1YEwc4LWsIcq6LGTX6SszXFG3i2c8nG+H2d1yXX4
4X0hj1HalueZYOvG9Vs=
-----END PUBLIC KEY-----`,
  rsa: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyXsho9+OkX/nZya0HY+d
CAOGDabE/9zTSavDJG0tExEvFj7Dw99R6fPgJFFt9dDJj9hTj7sY2a58/I0yX6eo
SDiOTgdKYjF/MCZPD7GUYLUqJpSQaZMnlsQN2ty99RcWLDcN/+AMQhwqUveLRnPl
Rv66Cu9MvlKZyQzpmr/IB2mF7Q4AWMpZdE7lg6AAvJe2XgIQf/yHAmd0Em8PNbBJ
MhD38ItCIFWPOz6hi1ET9DUtfLz5zP1g4adxPSc4k6JnvBLRl/fSXL9mbscP7ec0
ss4c74DNoJps9Z6C9jAGAgh0Fkg21piZn/aovx59o20ro/uUX1a8fFidI/gleB7D
/wIDAQAB
-----END PUBLIC KEY-----`,
} as const
