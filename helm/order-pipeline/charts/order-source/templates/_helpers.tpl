{{/*
The chart name, or nameOverride.
*/}}
{{- define "order-source.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the objects: release name and chart name, cut to 63 characters (DNS names).
*/}}
{{- define "order-source.fullname" -}}
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
{{- define "order-source.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "order-source.labels" -}}
helm.sh/chart: {{ include "order-source.chart" . }}
{{ include "order-source.selectorLabels" . }}
app.kubernetes.io/version: {{ include "order-source.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: intake
app.kubernetes.io/part-of: order-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the service's pods. Other pods of the release (helm test) leave out
app.kubernetes.io/name so that they never match.
*/}}
{{- define "order-source.selectorLabels" -}}
app.kubernetes.io/name: {{ include "order-source.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the release's helper pods (helm test): no app.kubernetes.io/name.
*/}}
{{- define "order-source.helperLabels" -}}
helm.sh/chart: {{ include "order-source.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: order-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The ServiceAccount's name.
*/}}
{{- define "order-source.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "order-source.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image tag: image.tag, or the chart's appVersion (the Maven project version).
*/}}
{{- define "order-source.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/*
The image reference: [registry/]repository, then @digest or :tag.
*/}}
{{- define "order-source.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repository = printf "%s/%s" .Values.image.registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (include "order-source.imageTag" .) }}
{{- end }}
{{- end }}

{{/*
The Secret holding the broker credentials: existingSecret or the chart's own.
*/}}
{{- define "order-source.rabbitmqSecretName" -}}
{{- default (include "order-source.fullname" .) .Values.rabbitmq.existingSecret }}
{{- end }}

{{/*
Whether the chart creates its own Secret: for the RabbitMQ credentials, with binder rabbit and
no existingSecret (Kafka credentials always come from kafka.sasl.existingSecret).
*/}}
{{- define "order-source.createsSecret" -}}
{{- if and (eq .Values.binder "rabbit") (not .Values.rabbitmq.existingSecret) }}true{{ end }}
{{- end }}

{{/*
The ports of kafka.bootstrapServers (host:port,host:port...), each once, comma-separated.
*/}}
{{- define "order-source.kafkaPorts" -}}
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
{{- define "order-source.kafkaJaasConfig" -}}
{{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq .Values.kafka.sasl.mechanism "PLAIN") }}
{{- printf "%s required username=\"$(KAFKA_USERNAME)\" password=\"$(KAFKA_PASSWORD)\";" $module }}
{{- end }}

{{/*
The heap (-Xmx, in MiB) from limits.memory (Mi, Gi, M or G) and jvm.heapPercentage.
*/}}
{{- define "order-source.heapMegabytes" -}}
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
terminationGracePeriodSeconds: the preStop sleep, the shutdown phase and a margin.
*/}}
{{- define "order-source.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopSleepSeconds .Values.shutdown.timeoutPerShutdownPhaseSeconds .Values.shutdown.marginSeconds }}
{{- end }}

{{/*
The Secret with the message signing keys (files named orders.signing.keys.<id>), shared by
order-source and order-sink: signing.existingSecret, else the umbrella's
global.signing.existingSecret.
*/}}
{{- define "order-source.signingSecret" -}}
{{- $global := (((.Values.global).signing).existingSecret) | default "" }}
{{- required "signing.existingSecret is required (global.signing.existingSecret in the umbrella chart): a Secret with the message signing keys, one file per key named orders.signing.keys.<id> (see the README)" (default $global .Values.signing.existingSecret) }}
{{- end }}

{{/*
The signing key order-source signs with: signing.keyId, else global.signing.keyId.
*/}}
{{- define "order-source.signingKeyId" -}}
{{- $global := (((.Values.global).signing).keyId) | default "" }}
{{- required "signing.keyId is required (global.signing.keyId in the umbrella chart): the id of the key in the signing Secret that order-source signs with" (default $global .Values.signing.keyId) }}
{{- end }}
