#!/usr/bin/env bash
# Installs what the Pester suites need, pinned: PowerShell 7 as a .NET tool and the Pester module,
# both from NuGet (the PowerShell Gallery is not reachable from here). Fast when both are present.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/nuget-download.sh

POWERSHELL_VERSION=7.6.9
PESTER_VERSION=6.2.0
MODULES=.cache/powershell-modules

export PATH="$PATH:$HOME/.dotnet/tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-tools: dotnet (the .NET SDK) is needed to install PowerShell $POWERSHELL_VERSION and Pester $PESTER_VERSION" >&2
  exit 1
fi

# Where `dotnet tool` keeps each installed version: checking it costs no PowerShell start-up.
store="$HOME/.dotnet/tools/.store/powershell"
if [ ! -d "$store/$POWERSHELL_VERSION" ]; then
  echo "installing PowerShell $POWERSHELL_VERSION (dotnet tool)"
  if [ -d "$store" ]; then action=update; else action=install; fi
  dotnet tool "$action" --global PowerShell --version "$POWERSHELL_VERSION" >/dev/null
fi

if [ ! -f "$MODULES/Pester/$PESTER_VERSION/Pester.psd1" ]; then
  echo "installing Pester $PESTER_VERSION (NuGet package) into $MODULES"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  nuget_download Pester "$PESTER_VERSION" "$scratch/packages"
  mkdir -p "$MODULES/Pester"
  rm -rf "$MODULES/Pester/$PESTER_VERSION.partial"
  cp -R "$scratch/packages/pester/$PESTER_VERSION/tools" "$MODULES/Pester/$PESTER_VERSION.partial"
  mv "$MODULES/Pester/$PESTER_VERSION.partial" "$MODULES/Pester/$PESTER_VERSION"
fi
