#!/usr/bin/env bash
# Installs the Bicep CLI, pinned, from NuGet (Azure.Bicep.CommandLine.linux-x64; NuGet checks the
# package's hash and signature) into NuGet's global packages folder, where scripts/infra/bicep.ts
# looks for it. Quiet and fast (one `bicep --version`) when it is already there.
set -euo pipefail
. "$(dirname "$0")/../scripts/nuget-download.sh"

BICEP_VERSION=0.49.2
PACKAGE=Azure.Bicep.CommandLine.linux-x64
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
bicep="$packages/$(echo "$PACKAGE" | tr '[:upper:]' '[:lower:]')/$BICEP_VERSION/tools/bicep"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ ! -x "$bicep" ]; then
  if [ ! -f "$bicep" ]; then
    echo "installing Bicep CLI $BICEP_VERSION ($PACKAGE from NuGet)"
    nuget_download "$PACKAGE" "$BICEP_VERSION"
  fi
  # NuGet extracts files without their mode bits.
  chmod +x "$bicep"
fi
"$bicep" --version >/dev/null
