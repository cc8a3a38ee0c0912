#!/bin/sh
# One-shot MinIO set-up for Archivist (the minio-init service of docker-compose.yml), idempotent:
# the bucket, with versioning on (every capture of a URL is kept), and the application's own
# access key, allowed read-write, so that the services never hold the root credentials.
set -eu

mc alias set archivist http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "archivist/$S3_BUCKET"
mc version enable "archivist/$S3_BUCKET"
mc admin user add archivist "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
if ! mc admin user info archivist "$S3_ACCESS_KEY" | grep -q readwrite; then
  mc admin policy attach archivist readwrite --user "$S3_ACCESS_KEY"
fi
echo "bucket $S3_BUCKET ready, versioning on"
