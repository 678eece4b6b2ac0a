{{/* Cassandra credentials and TLS of the store and the migrations Job (docs/security.md "Cassandra"). */}}

{{- define "pulse.cassandraCredentialsSecretName" -}}
{{- .Values.cassandra.auth.existingSecret | default (printf "%s-cassandra-credentials" (include "pulse.fullname" .)) -}}
{{- end -}}

{{- define "pulse.cassandraValidate" -}}
{{- $c := .Values.cassandra -}}
{{- if and $c.tls.enabled (not $c.tls.caSecret) }}
{{- fail "cassandra.tls.enabled needs cassandra.tls.caSecret (a Secret holding the CA certificate that signed the Cassandra nodes' certificates)" }}
{{- end }}
{{- end -}}

{{/* Env vars; call with the root context. */}}
{{- define "pulse.cassandraEnv" -}}
{{- $c := .Values.cassandra -}}
{{- if $c.auth.enabled }}
- name: PULSE_CASSANDRA_USERNAME
  value: {{ $c.auth.username | quote }}
- name: PULSE_CASSANDRA_PASSWORD_FILE
  value: /etc/pulse/cassandra-auth/password
{{- end }}
{{- if $c.tls.enabled }}
- name: PULSE_CASSANDRA_TLS_CA_FILE
  value: /etc/pulse/cassandra-tls/ca.crt
{{- if $c.tls.clientCertSecret }}
- name: PULSE_CASSANDRA_TLS_CERT_FILE
  value: /etc/pulse/cassandra-client-tls/tls.crt
- name: PULSE_CASSANDRA_TLS_KEY_FILE
  value: /etc/pulse/cassandra-client-tls/tls.key
{{- end }}
{{- end }}
{{- end -}}

{{- define "pulse.cassandraVolumes" -}}
{{- $c := .Values.cassandra -}}
{{- if $c.auth.enabled }}
- name: cassandra-auth
  secret:
    secretName: {{ include "pulse.cassandraCredentialsSecretName" . }}
    defaultMode: 0440
    items:
      - key: {{ $c.auth.existingSecretKey }}
        path: password
{{- end }}
{{- if $c.tls.enabled }}
- name: cassandra-tls
  secret:
    secretName: {{ $c.tls.caSecret }}
    defaultMode: 0444
    items:
      - key: {{ $c.tls.caKey }}
        path: ca.crt
{{- if $c.tls.clientCertSecret }}
- name: cassandra-client-tls
  secret:
    secretName: {{ $c.tls.clientCertSecret }}
    defaultMode: 0440
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- end }}
{{- end -}}

{{- define "pulse.cassandraVolumeMounts" -}}
{{- $c := .Values.cassandra -}}
{{- if $c.auth.enabled }}
- name: cassandra-auth
  mountPath: /etc/pulse/cassandra-auth
  readOnly: true
{{- end }}
{{- if $c.tls.enabled }}
- name: cassandra-tls
  mountPath: /etc/pulse/cassandra-tls
  readOnly: true
{{- if $c.tls.clientCertSecret }}
- name: cassandra-client-tls
  mountPath: /etc/pulse/cassandra-client-tls
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}
