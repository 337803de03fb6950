{{/* Chart name, overridable; 63 characters is the DNS label limit Kubernetes names obey. */}}
{{- define "braid.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name: the release name, plus the chart name unless the release already contains it. */}}
{{- define "braid.fullname" -}}
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

{{- define "braid.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable across upgrades, since a Deployment's selector is immutable. */}}
{{- define "braid.selectorLabels" -}}
app.kubernetes.io/name: {{ include "braid.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "braid.labels" -}}
helm.sh/chart: {{ include "braid.chart" . }}
{{ include "braid.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: server
{{- end }}

{{- define "braid.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "braid.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pod reads credentials from: the user's own, or the one this chart renders. */}}
{{- define "braid.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else }}
{{- include "braid.fullname" . }}
{{- end }}
{{- end }}

{{- define "braid.modelsClaimName" -}}
{{- if .Values.models.persistence.existingClaim }}
{{- .Values.models.persistence.existingClaim }}
{{- else }}
{{- printf "%s-models" (include "braid.fullname" .) }}
{{- end }}
{{- end }}

{{/*
Worker devices: one per GPU when GPUs are requested (gpu:0 .. gpu:N-1), otherwise the CPU.
Braid runs one model replica per listed device, so this must match what the pod is given.
*/}}
{{- define "braid.devices" -}}
{{- if .Values.gpu.enabled }}
{{- $devices := list }}
{{- range $i := until (int .Values.gpu.count) }}
{{- $devices = append $devices (printf "gpu:%d" $i) }}
{{- end }}
{{- toJson $devices }}
{{- else }}
{{- toJson (list "cpu") }}
{{- end }}
{{- end }}

{{/*
The Spring properties the ConfigMap carries: what the chart derives from other values (devices,
drain timeout, bundled models and seeds), overridden by anything under .Values.settings.
*/}}
{{- define "braid.settings" -}}
{{- $braid := dict "engine" (dict "devices" (include "braid.devices" . | fromJsonArray)) "ops" (dict "drain-timeout" (printf "%ds" (int .Values.shutdown.drainSeconds))) }}
{{- $models := dict "bundled" .Values.models.bundled }}
{{- if .Values.models.seed }}
{{- $_ := set $models "seed" .Values.models.seed }}
{{- end }}
{{- $_ := set $braid "models" $models }}
{{- $derived := dict "braid" $braid "spring" (dict "lifecycle" (dict "timeout-per-shutdown-phase" (printf "%ds" (int .Values.shutdown.webServerSeconds)))) }}
{{- toYaml (mustMergeOverwrite $derived (deepCopy .Values.settings)) }}
{{- end }}

{{/* Where the admin password lives: existingSecret, the main Secret (admin.password given) or the generated one. */}}
{{- define "braid.adminSecretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.admin.password }}
{{- include "braid.fullname" . }}
{{- else }}
{{- printf "%s-admin" (include "braid.fullname" .) }}
{{- end }}
{{- end }}
