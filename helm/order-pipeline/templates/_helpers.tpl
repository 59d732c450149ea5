{{/*
The chart name, or nameOverride.
*/}}
{{- define "order-pipeline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the objects: release name and chart name, cut to 63 characters (DNS names).
*/}}
{{- define "order-pipeline.fullname" -}}
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
{{- define "order-pipeline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "order-pipeline.labels" -}}
helm.sh/chart: {{ include "order-pipeline.chart" . }}
app.kubernetes.io/name: {{ include "order-pipeline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: order-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The Service name of a subchart, computed by the subchart's own fullname template:
include "order-pipeline.serviceName" (list . "order-source").
*/}}
{{- define "order-pipeline.serviceName" -}}
{{- $root := index . 0 }}
{{- $chart := index . 1 }}
{{- include (printf "%s.fullname" $chart) (dict "Chart" (dict "Name" $chart) "Values" (index $root.Values $chart) "Release" $root.Release) }}
{{- end }}

{{/*
Checks of both services' broker settings that their schemas cannot make, each seeing only its
own values: on Kafka, whichever service creates the orders topic gives it its kafka.partitions,
and a service that expects more partitions than the topic has refuses to start.
*/}}
{{- define "order-pipeline.checkBroker" -}}
{{- $source := index .Values "order-source" }}
{{- $sink := index .Values "order-sink" }}
{{- if and $source.enabled $sink.enabled (eq (toString $source.binder) "kafka") (eq (toString $sink.binder) "kafka") }}
{{- if ne (int $source.kafka.partitions) (int $sink.kafka.partitions) }}
{{- fail (printf "order-source.kafka.partitions (%d) and order-sink.kafka.partitions (%d) differ: whichever service creates the orders topic gives it its count, and the other refuses to start when it expects more; set one count for both" (int $source.kafka.partitions) (int $sink.kafka.partitions)) }}
{{- end }}
{{- end }}
{{- end }}
