"""Signing and provenance: cosign-compatible keys, signatures, attestations, policies.

Sans-I/O cores: :mod:`.keys`, :mod:`.simplesigning`, :mod:`.dsse`, :mod:`.attachments`,
:mod:`.bundle`, :mod:`.verify`, :mod:`.policy` (evaluate), :mod:`.provenance`.
Registry I/O: :mod:`.store`; orchestrators: :mod:`.service`, :mod:`.copy`.
"""
