"""Decompressing gzip from a client without ever holding more than a cap: a gzip bomb (50 MB of zeros
compress to 50 KB) stops at the cap with a 413, whatever its ratio."""

from __future__ import annotations

import zlib

from api.errors import PayloadTooLarge


class NotGzip(ValueError):
    """The data is not valid gzip (the message says how)."""


def gunzip(data: bytes, limit: int, too_large: str) -> bytes:
    """`data` decompressed, several members too. Inflating stops as soon as the output would pass
    `limit` bytes (PayloadTooLarge with the message `too_large`), so at most `limit` bytes are ever held."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))  # len(out) <= limit: a bound of 1 or more
            if len(out) > limit or inflater.unconsumed_tail:  # more output waits: it cannot fit
                raise PayloadTooLarge(too_large)
            out += inflater.flush()
        except zlib.error as exc:
            raise NotGzip(f"not valid gzip: {exc}") from None
        if len(out) > limit:
            raise PayloadTooLarge(too_large)
        if not inflater.eof:
            raise NotGzip("truncated gzip")
        data = inflater.unused_data
    return bytes(out)
