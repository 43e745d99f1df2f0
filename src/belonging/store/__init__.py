"""The waves store and the keyed pseudonyms that link responses across files without identities.

:mod:`belonging.store.keys` makes and reads the institution's secret key file and turns student
identifiers into keyed pseudonyms (HMAC-SHA-256); the waves store and the participation logs both link
through it.
"""
