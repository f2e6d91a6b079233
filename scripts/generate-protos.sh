#!/usr/bin/env bash
# Regenerates the committed Swift code for Protos/*.proto. Needs protoc (Debian: protobuf-compiler,
# whose /usr/include holds google/protobuf/timestamp.proto)
# and protoc-gen-swift built from the same swift-protobuf version the package resolves, e.g.:
#   git clone <swift-protobuf> /tmp/protogen && (cd /tmp/protogen && swift build -c release --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/protogen/.build/release/protoc-gen-swift scripts/generate-protos.sh
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}"
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Package --swift_out=Sources/RemoteWrite/Generated \
  -I Protos Protos/remote_write_v1.proto
mkdir -p Sources/Exposition/Generated
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Package --swift_out=Sources/Exposition/Generated \
  -I Protos -I /usr/include Protos/metric_family.proto
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Package --swift_out=Sources/RemoteWrite/Generated \
  -I Protos Protos/otlp_metrics.proto
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Package --swift_out=Sources/RemoteWrite/Generated \
  -I Protos Protos/remote_write_v2.proto
