#!/usr/bin/env bash
# Installs the Bicep CLI, pinned, from NuGet (Azure.Bicep.CommandLine.linux-x64; NuGet checks the
# package's hash and signature) into NuGet's global packages folder, where scripts/infra/bicep.ts
# looks for it. Quiet and fast (one `bicep --version`) when it is already there.
set -euo pipefail

BICEP_VERSION=0.49.2
PACKAGE=Azure.Bicep.CommandLine.linux-x64
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
bicep="$packages/$(echo "$PACKAGE" | tr '[:upper:]' '[:lower:]')/$BICEP_VERSION/tools/bicep"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ ! -x "$bicep" ]; then
  if [ ! -f "$bicep" ]; then
    if ! command -v dotnet >/dev/null 2>&1; then
      echo "install-bicep: dotnet (the .NET SDK) is needed to fetch $PACKAGE $BICEP_VERSION from NuGet" >&2
      exit 1
    fi
    echo "installing Bicep CLI $BICEP_VERSION ($PACKAGE from NuGet)"
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    # A throwaway project whose only job is to make NuGet fetch and verify the package into the
    # global packages folder, where the version is part of the path (so versions never clash).
    cat >"$scratch/download.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$(dotnet --version | cut -d. -f1).0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="$PACKAGE" Version="[$BICEP_VERSION]" /></ItemGroup>
</Project>
XML
    dotnet restore "$scratch/download.csproj" >/dev/null
  fi
  # NuGet extracts files without their mode bits.
  chmod +x "$bicep"
fi
"$bicep" --version >/dev/null
