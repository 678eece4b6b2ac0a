{{/* NATS users and TLS of the services (docs/security.md "NATS"). The users and their permissions
     are files/nats-permissions.json, shared with scripts/infra.sh. */}}

{{- define "pulse.natsPermissions" -}}
{{- .Files.Get "files/nats-permissions.json" -}}
{{- end -}}

{{- define "pulse.natsUsersSecretName" -}}
{{- .Values.nats.auth.existingSecret | default (printf "%s-nats-users" (include "pulse.fullname" .)) -}}
{{- end -}}

{{/* A list of subjects as nats.conf strings: "a", "b" (toJson would escape > as \u003e). */}}
{{- define "pulse.natsSubjects" -}}
{{- range $i, $subject := . }}{{ if $i }}, {{ end }}{{ $subject | quote }}{{ end -}}
{{- end -}}

{{/* $PULSE_NATS_PASSWORD_<USER>: the variable the NATS server's config reads a user's password from. */}}
{{- define "pulse.natsPasswordVariable" -}}
{{- printf "PULSE_NATS_PASSWORD_%s" (. | upper | replace "-" "_") -}}
{{- end -}}

{{/* The NATS env vars of a service's container; call with the podTemplate dict (root, component). */}}
{{- define "pulse.natsEnv" -}}
{{- $nats := .root.Values.nats -}}
{{- if $nats.auth.enabled }}
- name: PULSE_NATS_USER
  value: {{ .component | quote }}
- name: PULSE_NATS_PASSWORD_FILE
  value: /etc/pulse/nats-auth/password
{{- end }}
{{- if $nats.tls.enabled }}
- name: PULSE_NATS_TLS_CA_FILE
  value: /etc/pulse/nats-tls/ca.pem
{{- if $nats.tls.clientCertSecret }}
- name: PULSE_NATS_TLS_CERT_FILE
  value: /etc/pulse/nats-client-tls/tls.crt
- name: PULSE_NATS_TLS_KEY_FILE
  value: /etc/pulse/nats-client-tls/tls.key
{{- end }}
{{- end }}
{{- end -}}

{{/* Volumes: only this service's key of the users Secret is mounted. */}}
{{- define "pulse.natsVolumes" -}}
{{- $nats := .root.Values.nats -}}
{{- if $nats.auth.enabled }}
- name: nats-auth
  secret:
    secretName: {{ include "pulse.natsUsersSecretName" .root }}
    defaultMode: 0440
    items:
      - key: {{ .component }}
        path: password
{{- end }}
{{- if $nats.tls.enabled }}
- name: nats-tls
  {{- if $nats.tls.caSecret }}
  secret:
    secretName: {{ $nats.tls.caSecret }}
    defaultMode: 0444
  {{- else }}
  configMap:
    name: {{ $nats.tls.caConfigMap }}
  {{- end }}
    items:
      - key: {{ $nats.tls.caKey }}
        path: ca.pem
{{- if $nats.tls.clientCertSecret }}
- name: nats-client-tls
  secret:
    secretName: {{ $nats.tls.clientCertSecret }}
    defaultMode: 0440
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- end }}
{{- end -}}

{{- define "pulse.natsVolumeMounts" -}}
{{- $nats := .root.Values.nats -}}
{{- if $nats.auth.enabled }}
- name: nats-auth
  mountPath: /etc/pulse/nats-auth
  readOnly: true
{{- end }}
{{- if $nats.tls.enabled }}
- name: nats-tls
  mountPath: /etc/pulse/nats-tls
  readOnly: true
{{- if $nats.tls.clientCertSecret }}
- name: nats-client-tls
  mountPath: /etc/pulse/nats-client-tls
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{/* Fails early on NATS values that cannot work. */}}
{{- define "pulse.natsValidate" -}}
{{- $tls := .Values.nats.tls -}}
{{- if and $tls.enabled (not $tls.caSecret) (not $tls.caConfigMap) -}}
{{- fail "nats.tls.enabled: set nats.tls.caSecret or nats.tls.caConfigMap (the CA that signed the NATS servers' certificates)" -}}
{{- end -}}
{{- end -}}
