"""The domain core: URLs, captures and their state machine, records and versions, errors.

Plain Python. It imports no Redis, S3, SQL or web framework; adapters implement its ports.
"""
