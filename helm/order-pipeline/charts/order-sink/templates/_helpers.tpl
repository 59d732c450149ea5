{{/*
The chart name, or nameOverride.
*/}}
{{- define "order-sink.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the objects: release name and chart name, cut to 63 characters (DNS names).
*/}}
{{- define "order-sink.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "order-sink.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "order-sink.labels" -}}
helm.sh/chart: {{ include "order-sink.chart" . }}
{{ include "order-sink.selectorLabels" . }}
app.kubernetes.io/version: {{ include "order-sink.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: store
app.kubernetes.io/part-of: order-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the service's pods. Other pods of the release (helm test) leave out
app.kubernetes.io/name so that they never match.
*/}}
{{- define "order-sink.selectorLabels" -}}
app.kubernetes.io/name: {{ include "order-sink.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the release's helper pods (helm test): no app.kubernetes.io/name.
*/}}
{{- define "order-sink.helperLabels" -}}
helm.sh/chart: {{ include "order-sink.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: order-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The ServiceAccount's name.
*/}}
{{- define "order-sink.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "order-sink.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image tag: image.tag, or the chart's appVersion (the Maven project version).
*/}}
{{- define "order-sink.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/*
The image reference: [registry/]repository, then @digest or :tag.
*/}}
{{- define "order-sink.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repository = printf "%s/%s" .Values.image.registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (include "order-sink.imageTag" .) }}
{{- end }}
{{- end }}

{{/*
The Secret holding the broker credentials: existingSecret or the chart's own.
*/}}
{{- define "order-sink.rabbitmqSecretName" -}}
{{- default (include "order-sink.fullname" .) .Values.rabbitmq.existingSecret }}
{{- end }}

{{/*
The Secret holding the database credentials: existingSecret or the chart's own.
*/}}
{{- define "order-sink.databaseSecretName" -}}
{{- default (include "order-sink.fullname" .) .Values.database.existingSecret }}
{{- end }}

{{/*
Whether the chart creates its own Secret (for whichever credentials have no existingSecret:
RabbitMQ's with binder rabbit only, Kafka credentials always come from kafka.sasl.existingSecret).
*/}}
{{- define "order-sink.createsSecret" -}}
{{- if or (include "order-sink.createsRabbitmqSecret" .) (not .Values.database.existingSecret) }}true{{ end }}
{{- end }}

{{/*
Whether the chart's Secret holds the RabbitMQ credentials: binder rabbit and no existingSecret.
*/}}
{{- define "order-sink.createsRabbitmqSecret" -}}
{{- if and (eq .Values.binder "rabbit") (not .Values.rabbitmq.existingSecret) }}true{{ end }}
{{- end }}

{{/*
The ports of kafka.bootstrapServers (host:port,host:port...), each once, comma-separated.
*/}}
{{- define "order-sink.kafkaPorts" -}}
{{- $ports := list }}
{{- range splitList "," .Values.kafka.bootstrapServers }}
{{- $ports = append $ports (regexFind "[0-9]+$" (trim .)) }}
{{- end }}
{{- $ports | uniq | join "," }}
{{- end }}

{{/*
The JAAS line of the Kafka clients' SASL login: the mechanism's login module, with the user
and password the container expands from KAFKA_USERNAME and KAFKA_PASSWORD (set from the Secret
before it in the environment).
*/}}
{{- define "order-sink.kafkaJaasConfig" -}}
{{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq .Values.kafka.sasl.mechanism "PLAIN") }}
{{- printf "%s required username=\"$(KAFKA_USERNAME)\" password=\"$(KAFKA_PASSWORD)\";" $module }}
{{- end }}

{{/*
The R2DBC URL of the database, with its TLS mode.
*/}}
{{- define "order-sink.r2dbcUrl" -}}
{{- if and .Values.database.caSecret (not .Values.database.sslMode) }}
{{- fail "database.caSecret is set but database.sslMode is empty: set database.sslMode to verify-full (or verify-ca) for the CA to be used" }}
{{- end }}
{{- $url := printf "r2dbc:postgresql://%s:%d/%s" .Values.database.host (int .Values.database.port) .Values.database.name }}
{{- if .Values.database.sslMode }}
{{- $url = printf "%s?sslMode=%s" $url .Values.database.sslMode }}
{{- if .Values.database.caSecret }}
{{- $url = printf "%s&sslRootCert=/etc/order-pipeline/database-ca/ca.crt" $url }}
{{- end }}
{{- end }}
{{- $url }}
{{- end }}

{{/*
The JDBC URL Flyway migrates over, with the same TLS mode.
*/}}
{{- define "order-sink.jdbcUrl" -}}
{{- $url := printf "jdbc:postgresql://%s:%d/%s?sslmode=%s" .Values.database.host (int .Values.database.port) .Values.database.name .Values.database.sslMode }}
{{- if .Values.database.caSecret }}
{{- $url = printf "%s&sslrootcert=/etc/order-pipeline/database-ca/ca.crt" $url }}
{{- end }}
{{- $url }}
{{- end }}

{{/*
The RabbitMQ management API's base URL.
*/}}
{{- define "order-sink.managementUrl" -}}
{{- default (printf "http://%s:15672" .Values.rabbitmq.host) .Values.rabbitmqPolicy.managementUrl | trimSuffix "/" }}
{{- end }}

{{/*
The port of the management API, from its URL (80 or 443 when the URL has none).
*/}}
{{- define "order-sink.managementPort" -}}
{{- $url := urlParse (include "order-sink.managementUrl" .) }}
{{- $hostAndPort := splitList ":" $url.host }}
{{- if gt (len $hostAndPort) 1 }}
{{- last $hostAndPort }}
{{- else }}
{{- ternary 443 80 (eq $url.scheme "https") }}
{{- end }}
{{- end }}

{{/*
The Secret holding the policy user's credentials.
*/}}
{{- define "order-sink.policySecretName" -}}
{{- default (printf "%s-rabbitmq-policy" (include "order-sink.fullname" . | trunc 46 | trimSuffix "-")) .Values.rabbitmqPolicy.existingSecret }}
{{- end }}

{{/*
The heap (-Xmx, in MiB) from limits.memory (Mi, Gi, M or G) and jvm.heapPercentage.
*/}}
{{- define "order-sink.heapMegabytes" -}}
{{- $limit := required "resources.limits.memory is required: the JVM heap is sized from it" .Values.resources.limits.memory | toString }}
{{- $amount := regexFind "^[0-9]+" $limit | int }}
{{- $unit := trimPrefix (toString $amount) $limit }}
{{- $mebibytes := $amount }}
{{- if eq $unit "Gi" }}
{{- $mebibytes = mul $amount 1024 }}
{{- else if eq $unit "G" }}
{{- $mebibytes = div (mul $amount 1000000000) 1048576 }}
{{- else if eq $unit "M" }}
{{- $mebibytes = div (mul $amount 1000000) 1048576 }}
{{- else if ne $unit "Mi" }}
{{- fail (printf "resources.limits.memory %q: use Mi, Gi, M or G" $limit) }}
{{- end }}
{{- div (mul $mebibytes .Values.jvm.heapPercentage) 100 }}
{{- end }}

{{/*
terminationGracePeriodSeconds: the preStop sleep, the shutdown phase and a margin. The
shutdown phase must cover the batch being written (writeTimeoutSeconds plus the listener's 5 s).
*/}}
{{- define "order-sink.terminationGracePeriodSeconds" -}}
{{- $batch := add .Values.writeTimeoutSeconds 5 }}
{{- if lt (int .Values.shutdown.timeoutPerShutdownPhaseSeconds) (int $batch) }}
{{- fail (printf "shutdown.timeoutPerShutdownPhaseSeconds (%d) must be at least writeTimeoutSeconds + 5 (%d): the batch being written must finish before the pod is killed" (int .Values.shutdown.timeoutPerShutdownPhaseSeconds) (int $batch)) }}
{{- end }}
{{- add .Values.shutdown.preStopSleepSeconds .Values.shutdown.timeoutPerShutdownPhaseSeconds .Values.shutdown.marginSeconds }}
{{- end }}

{{/*
The Secret with the message signing keys (files named orders.signing.keys.<id>), shared by
order-source and order-sink: signing.existingSecret, else the umbrella's
global.signing.existingSecret.
*/}}
{{- define "order-sink.signingSecret" -}}
{{- $global := (((.Values.global).signing).existingSecret) | default "" }}
{{- required "signing.existingSecret is required (global.signing.existingSecret in the umbrella chart): a Secret with the message signing keys, one file per key named orders.signing.keys.<id> (see the README)" (default $global .Values.signing.existingSecret) }}
{{- end }}
