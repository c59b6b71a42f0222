#!/usr/bin/env bash
# npm run openapi:lint: lints the committed spec with Redocly (recommended ruleset, redocly.yaml)
# and Spectral (spectral:oas + OWASP, .spectral.yaml).
# Both run, so one report shows every finding; the step fails if either finds an error (Redocly:
# or a warning). Offline: no usage data, no update check; rulesets load from node_modules.
set -uo pipefail
# npm runs it from the repository root, where the configuration files are.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
spec=openapi/openapi.json
status=0
echo "-- redocly lint"
npx --no-install redocly lint --format=stylish --max-problems=1000 "$spec" || status=1
echo "-- spectral lint"
npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=error "$spec" || status=1
exit $status
