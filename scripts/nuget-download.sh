# Sourced by the installers (test/powershell/install-tools.sh, infra/install-bicep.sh), which fetch
# pinned tools that live on NuGet rather than npm or Debian.
#
# nuget_download PACKAGE VERSION [PACKAGES_FOLDER]: NuGet fetches the package and checks its hash
# and signature, into PACKAGES_FOLDER or else NuGet's global packages folder (where the version is
# part of the path, so versions never clash). A throwaway project is the only way `dotnet` offers.
nuget_download() {
  local package="$1" version="$2" folder="${3:-}"
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "nuget_download: dotnet (the .NET SDK) is needed to fetch $package $version from NuGet" >&2
    return 1
  fi
  local scratch
  scratch="$(mktemp -d)"
  cat >"$scratch/download.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$(dotnet --version | cut -d. -f1).0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="$package" Version="[$version]" /></ItemGroup>
</Project>
XML
  local status=0
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$scratch/download.csproj" ${folder:+--packages "$folder"} >/dev/null || status=$?
  rm -rf "$scratch"
  return "$status"
}
