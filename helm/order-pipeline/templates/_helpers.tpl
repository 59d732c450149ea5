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
