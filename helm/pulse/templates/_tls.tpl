{{/* TLS on Pulse's own HTTP and gRPC endpoints (docs/security.md "TLS"): every service serves with
     tls.crt/tls.key and trusts ca.crt when it calls another Pulse service. */}}

{{- define "pulse.tlsValidate" -}}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}
{{- fail "tls.enabled needs tls.secretName (a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt, e.g. from cert-manager)" }}
{{- end }}
{{- end -}}

{{- define "pulse.tlsEnv" -}}
{{- if .Values.tls.enabled }}
- name: PULSE_TLS_CERT_FILE
  value: /etc/pulse/tls/tls.crt
- name: PULSE_TLS_KEY_FILE
  value: /etc/pulse/tls/tls.key
- name: PULSE_TLS_CA_FILE
  value: /etc/pulse/tls/ca.crt
{{- end }}
{{- end -}}

{{- define "pulse.tlsVolumes" -}}
{{- if .Values.tls.enabled }}
- name: pulse-tls
  secret:
    secretName: {{ .Values.tls.secretName }}
    defaultMode: 0440
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end -}}

{{- define "pulse.tlsVolumeMounts" -}}
{{- if .Values.tls.enabled }}
- name: pulse-tls
  mountPath: /etc/pulse/tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* Probes with TLS on: HTTP probes over HTTPS; kubelet's gRPC probe speaks no TLS, so gRPC probes
     become TCP checks (the HTTP /readyz probes still check readiness). Call with (dict root probes). */}}
{{- define "pulse.tlsProbes" -}}
{{- if .root.Values.tls.enabled -}}
{{- .probes | replace "  httpGet:\n" "  httpGet:\n    scheme: HTTPS\n" | replace "  grpc:\n" "  tcpSocket:\n" -}}
{{- else -}}
{{- .probes -}}
{{- end -}}
{{- end -}}
