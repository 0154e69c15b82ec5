BeforeDiscovery {
    $scriptsFolder = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'scripts'
    $scripts = Get-ChildItem -LiteralPath $scriptsFolder -Filter '*.ps1' | ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } }
}

Describe 'Get-Help <Name>' -ForEach $scripts {
    BeforeAll {
        $help = Get-Help -Name $Path -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = @((Get-Command -Name $Path).Parameters.Keys | Where-Object { $common -notcontains $_ })
    }

    It 'shows a synopsis' {
        # Without comment-based help, Get-Help falls back to the script's syntax line.
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape($Name))
    }

    It 'describes every parameter' {
        foreach ($parameter in $parameters) {
            $entry = @($help.parameters.parameter) | Where-Object { $_.name -eq $parameter }
            ($entry.description | ForEach-Object { $_.Text }) -join ' ' | Should -Not -BeNullOrEmpty -Because "-$parameter needs a .PARAMETER section"
        }
    }

    It 'shows at least one example' {
        @($help.examples.example).Count | Should -BeGreaterThan 0
        @($help.examples.example)[0].code | Should -Match ([regex]::Escape($Name))
    }
}
