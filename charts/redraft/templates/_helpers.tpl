{{/* Names and labels shared by the templates. */}}

{{- define "redraft.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "redraft.operatorName" -}}
{{- printf "%s-operator" (include "redraft.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "redraft.clusterName" -}}
{{- default .Release.Name .Values.cluster.name -}}
{{- end -}}

{{- define "redraft.serviceAccountName" -}}
{{- default (include "redraft.operatorName" .) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "redraft.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "redraft.authSecretName" -}}
{{- default (printf "%s-auth" (include "redraft.clusterName" .)) .Values.cluster.auth.existingSecret -}}
{{- end -}}

{{- define "redraft.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "redraft.operatorSelector" -}}
app.kubernetes.io/name: redraft-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
