BeforeAll {
    . (Join-Path $PSScriptRoot (Join-Path 'helpers' 'ScriptRunner.ps1'))

    # GET /healthz through the load balancer from one loopback address (it keeps a client on one
    # instance by source address): which instance answered, or $null while nothing listens.
    function Get-HealthzFrom([int] $Port, [string] $SourceAddress) {
        $client = [System.Net.Sockets.TcpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Parse($SourceAddress), 0))
        try {
            $client.ReceiveTimeout = 5000
            $client.Connect([System.Net.IPAddress]::Loopback, $Port)
            $stream = $client.GetStream()
            $request = [System.Text.Encoding]::ASCII.GetBytes("GET /healthz HTTP/1.1`r`nHost: 127.0.0.1:$Port`r`nConnection: close`r`n`r`n")
            $stream.Write($request, 0, $request.Length)
            $response = [System.IO.StreamReader]::new($stream).ReadToEnd()
            if ($response -notmatch '^HTTP/1\.1 200') { return $null }
            return ($response.Substring($response.IndexOf("`r`n`r`n") + 4) | ConvertFrom-Json).instance
        }
        catch {
            # Refused, or reset by the balancer while no instance is ready yet.
            return $null
        }
        finally {
            $client.Dispose()
        }
    }

    # -NoBuild starts the build that npm test made first (Build-Service.Tests.ps1 checks building);
    # run alone on a fresh clone, the suite builds it once.
    if (-not (Test-Path -LiteralPath (Join-Path $RepositoryRoot (Join-Path 'WorkerRole1' (Join-Path 'dist' (Join-Path 'server' 'main.js')))))) {
        Push-Location -LiteralPath $RepositoryRoot
        try { $built = & node --import tsx scripts/build.ts 2>&1 | ForEach-Object { "$_" } } finally { Pop-Location }
        if ($LASTEXITCODE -ne 0) { throw "npm run build failed (exit code $LASTEXITCODE):`n$($built -join "`n")" }
    }

    $folder = New-TemporaryFolder
    $port = Get-FreeTcpPort
    $pidFile = Join-Path $folder 'emulator.pid'
    $log = Join-Path $folder 'emulator.log'
    # -Launch runs the platform's opener: here a stand-in xdg-open, first on PATH, that records its argument.
    $standIns = Join-Path $folder 'bin'
    $opened = Join-Path $folder 'opened.txt'
    New-Item -ItemType Directory -Path $standIns | Out-Null
    Set-Content -LiteralPath (Join-Path $standIns 'xdg-open') -Value "#!/bin/sh`nprintf '%s\n' `"`$1`" >> '$opened'" -NoNewline
    & chmod +x (Join-Path $standIns 'xdg-open')
    $arguments = @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', (Join-Path $ScriptsFolder 'Start-Emulator.ps1'),
        '-Port', $port, '-Instances', 2, '-StoragePort', (Get-FreeTcpPort), '-StorageDirectory', (Join-Path $folder 'azurite'),
        '-PidFile', $pidFile, '-Fresh', '-Launch', '-NoBuild')
    # The script runs in its own pwsh, as from a user's terminal, both its output streams appended
    # to the log in the order written (by the shell: no process between them and the file).
    New-Item -ItemType File -Path $log | Out-Null
    $start = [System.Diagnostics.ProcessStartInfo]::new('sh')
    foreach ($argument in @('-c', 'log=$1; shift; exec "$@" >> "$log" 2>&1', 'sh', $log, $PwshPath) + $arguments) { $start.ArgumentList.Add("$argument") }
    $start.Environment['PATH'] = $standIns + [System.IO.Path]::PathSeparator + $env:PATH
    $start.Environment['DISPLAY'] = ':99'
    $start.UseShellExecute = $false
    $emulator = [System.Diagnostics.Process]::Start($start)

    # Azurite and two instances: a minute or more on a busy machine. Wait for what a user waits for,
    # the line saying every instance is healthy: /healthz answers as soon as the first one is, while
    # the balancer still sends every client to it.
    $deadline = [DateTime]::UtcNow.AddMinutes(4)
    while (-not (Select-String -LiteralPath $log -Pattern 'emulator: 2 instance\(s\) of WorkerRole1 healthy after' -Quiet)) {
        if ($emulator.HasExited) { throw "Start-Emulator.ps1 ended before every instance was healthy:`n$(Get-Content -LiteralPath $log -Raw)" }
        if ([DateTime]::UtcNow -gt $deadline) { throw "the instances were not all healthy within 4 minutes:`n$(Get-Content -LiteralPath $log -Raw)" }
        Start-Sleep -Milliseconds 200
    }
    # The pid file's first line is the emulator's process id, its second the chat's URL.
    $emulatorPid = [int] (Get-Content -LiteralPath $pidFile -TotalCount 1).Trim()
}

AfterAll {
    # Whatever a failed test left running.
    if (-not $emulator.HasExited) { $emulator.Kill($true) }
    $leftovers = @($emulatorPid) + @(Select-String -LiteralPath $log -Pattern 'started \(pid (\d+)' | ForEach-Object { [int] $_.Matches[0].Groups[1].Value })
    foreach ($id in $leftovers) { if ($id) { Stop-Process -Id $id -Force -ErrorAction SilentlyContinue } }
    Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Start-Emulator.ps1 -Port P -Instances 2' {
    It 'serves /healthz through the load balancer from both instances' {
        $instances = @{}
        foreach ($last in 1..40) {
            $instance = Get-HealthzFrom $port "127.0.0.$last"
            if ($instance) { $instances[$instance] = $true }
            if ($instances.Count -eq 2) { break }
        }
        @($instances.Keys).Count | Should -Be 2 -Because "two instances answer behind the balancer; seen: $($instances.Keys -join ', ')"
    }
}

Describe 'Start-Emulator.ps1 -Launch' {
    It 'opens the chat with the platform opener once every instance is healthy' {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Test-Path -LiteralPath $opened)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "the opener was not run:`n$(Get-Content -LiteralPath $log -Raw)" }
            Start-Sleep -Milliseconds 200
        }
        (Get-Content -LiteralPath $opened) | Should -Be "http://localhost:$port/"
        Get-Content -LiteralPath $log | Should -Contain "emulator: opening http://localhost:$port/ in the default browser (xdg-open)"
    }
}

Describe 'Start-Emulator.ps1 while an emulator runs from this folder' {
    It 'names the running one with its pid and URL and how to stop it, starts nothing, and exits non-zero' {
        $result = Invoke-RepositoryScript 'Start-Emulator.ps1' @('-PidFile', $pidFile)

        $result.ExitCode | Should -Not -Be 0
        $result.Output | Should -Match ([regex]::Escape("an emulator is already running from this folder (pid $emulatorPid, chat at http://localhost:$port/)"))
        $result.Output | Should -Match 'npm run emulator:stop'
        $result.Output | Should -Not -Match 'built WorkerRole1/dist|WorkerRole1/dist is up to date|Azurite table service on'
        $result.Output | Should -Not -Match $PowerShellErrorDecoration
    }
}

Describe 'Stop-Emulator.ps1' {
    It 'stops the emulator and leaves no process of it' {
        $instancePids = @(Select-String -LiteralPath $log -Pattern 'started \(pid (\d+)' | ForEach-Object { [int] $_.Matches[0].Groups[1].Value })
        $instancePids.Count | Should -BeGreaterOrEqual 2

        $result = Invoke-RepositoryScript 'Stop-Emulator.ps1' @('-PidFile', $pidFile)

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match "emulator: stopped \(pid $emulatorPid\)"
        $emulator.WaitForExit(30000) | Should -BeTrue -Because 'Start-Emulator.ps1 returns once the emulator stopped'
        foreach ($id in @($emulatorPid) + $instancePids) {
            Get-Process -Id $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because "process $id belonged to the emulator"
        }
        # CommandLine reads /proc each time it is asked: read it once, since a process (anyone's) can end in between.
        Get-Process | Where-Object { "$($_.CommandLine)".Contains($folder) } | Should -BeNullOrEmpty
        Get-HealthzFrom $port '127.0.0.1' | Should -BeNullOrEmpty
    }
}

Describe 'Start-Emulator.ps1 on a port in use' {
    It 'says which port is taken, without a PowerShell stack, and exits non-zero' {
        $occupant = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Any, 0)
        $occupant.Start()
        try {
            $taken = $occupant.LocalEndpoint.Port
            $result = Invoke-RepositoryScript 'Start-Emulator.ps1' @('-Port', $taken)
        }
        finally {
            $occupant.Stop()
        }

        $result.ExitCode | Should -Not -Be 0
        $result.Output | Should -Match "port $taken \(--port\), the chat's load balancer, is in use by another program; pass another --port \(Start-Emulator\.ps1 -Port\)"
        $result.Output | Should -Not -Match $PowerShellErrorDecoration
    }
}
