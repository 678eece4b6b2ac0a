{{/* NetworkPolicy rule fragments shared by the per-service policies. */}}

{{- define "pulse.egress.dns" -}}
- ports:
    - { port: 53, protocol: UDP }
    - { port: 53, protocol: TCP }
  {{- with .Values.networkPolicy.dnsPeers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "pulse.egress.nats" -}}
- ports:
    - { port: {{ .Values.nats.port }}, protocol: TCP }
  {{- with .Values.nats.networkPolicyPeers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "pulse.egress.cassandra" -}}
- ports:
    - { port: {{ .Values.cassandra.port }}, protocol: TCP }
  {{- with .Values.cassandra.networkPolicyPeers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "pulse.egress.otel" -}}
{{- if .Values.otel.enabled }}
- ports:
    - { port: {{ .Values.otel.port }}, protocol: TCP }
  {{- with .Values.otel.networkPolicyPeers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "pulse.egress.extra" -}}
{{- with .Values.networkPolicy.extraEgress }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{/* Egress to another Pulse component's port; args root, component, port */}}
{{- define "pulse.egress.component" -}}
- ports:
    - { port: {{ .port }}, protocol: TCP }
  to:
    - podSelector:
        matchLabels:
          {{- include "pulse.selectorLabels" . | nindent 10 }}
{{- end -}}

{{/* Peer: pods of another Pulse component; args root, component */}}
{{- define "pulse.componentPeer" -}}
- podSelector:
    matchLabels:
      {{- include "pulse.selectorLabels" . | nindent 6 }}
{{- end -}}

{{- define "pulse.testPeer" -}}
{{- include "pulse.componentPeer" (dict "root" . "component" "test") }}
{{- end -}}

{{/* Scrapers (metrics/health) on the HTTP port. */}}
{{- define "pulse.metricsIngress" -}}
- ports:
    - { port: http, protocol: TCP }
  {{- with .Values.networkPolicy.metricsFrom }}
  from:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
