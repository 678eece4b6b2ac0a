{{/* Names ---------------------------------------------------------------------------------- */}}
{{- define "pulse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pulse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<component>"; call with (dict "root" $ "component" "store") */}}
{{- define "pulse.componentName" -}}
{{- printf "%s-%s" (include "pulse.fullname" .root | trunc 40 | trimSuffix "-") .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pulse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "pulse.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: pulse
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "pulse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pulse.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels every pod of the release carries (what the default-deny policy selects). */}}
{{- define "pulse.releaseSelector" -}}
app.kubernetes.io/name: {{ include "pulse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Image: repository:tag[@digest]; tag defaults to appVersion, never "latest". */}}
{{- define "pulse.image" -}}
{{- $tag := .image.tag | default .root.Chart.AppVersion -}}
{{- if eq $tag "latest" -}}{{- fail (printf "%s.image.tag: \"latest\" is not allowed; pin a version or a digest" .component) -}}{{- end -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "pulse.apiKeysSecretName" -}}
{{- .Values.apiKeys.existingSecret | default (printf "%s-api-keys" (include "pulse.fullname" .)) -}}
{{- end -}}

{{- define "pulse.pseudonymSecretName" -}}
{{- .Values.cleaner.pseudonymKeys.existingSecret | default (printf "%s-pseudonym-keys" (include "pulse.fullname" .)) -}}
{{- end -}}

{{- define "pulse.forecastWatchKeysSecretName" -}}
{{- .Values.forecast.watchKeys.existingSecret | default (printf "%s-forecast-watch-keys" (include "pulse.fullname" .)) -}}
{{- end -}}

{{/* The services that read the API-key file (PULSE_API_KEYS_FILE, a required setting of each). */}}
{{- define "pulse.apiKeysNeeded" -}}
{{- if or .Values.ingestGateway.enabled .Values.store.enabled .Values.forecast.enabled .Values.console.enabled }}true{{ end -}}
{{- end -}}

{{/* Fails early (with the value to set) when a service's required setting cannot be given. */}}
{{- define "pulse.validate" -}}
{{- if and (include "pulse.apiKeysNeeded" .) (not .Values.apiKeys.existingSecret) (not .Values.apiKeys.keys) -}}
{{- fail "apiKeys: set apiKeys.existingSecret (a Secret with keys.json) or apiKeys.keys — the gateway, store, forecast and console refuse to start without API keys" -}}
{{- end -}}
{{- with .Values.cleaner.pseudonymKeys.value -}}
{{- if and $.Values.cleaner.enabled (contains "," .) (not $.Values.cleaner.activeKey) -}}
{{- fail "cleaner.activeKey: required when cleaner.pseudonymKeys.value holds more than one key (PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY)" -}}
{{- end -}}
{{- end -}}
{{- /* Watch keys given in values are checked against API keys given in values (the forecast service
     refuses to start otherwise); with existingSecret on either side the service checks at start. */ -}}
{{- if and .Values.forecast.enabled (not .Values.forecast.watchKeys.existingSecret) (not .Values.apiKeys.existingSecret) -}}
{{- range $i, $w := .Values.forecast.watchKeys.keys -}}
{{- $hash := sha256sum $w.key -}}
{{- $found := false -}}
{{- range $.Values.apiKeys.keys -}}
{{- if and (eq .sha256 $hash) (eq .tenant $w.tenant) (or (not .scopes) (has "query" .scopes)) }}{{ $found = true }}{{ end -}}
{{- end -}}
{{- if not $found -}}
{{- fail (printf "forecast.watchKeys.keys[%d]: not a query key of tenant %q in apiKeys.keys (its SHA-256 must be listed for that tenant with the query scope)" $i $w.tenant) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.aggregator.enabled (gt (int .Values.aggregator.replicaCount) (int .Values.partitions)) -}}
{{- fail (printf "aggregator.replicaCount (%d) must not exceed partitions (%d): a replica would own no partition" (int .Values.aggregator.replicaCount) (int .Values.partitions)) -}}
{{- end -}}
{{- if and .Values.console.enabled .Values.console.ingress.enabled (not .Values.console.ingress.host) -}}
{{- fail "console.ingress.host: required when console.ingress.enabled is true" -}}
{{- end -}}
{{- if and .Values.otel.enabled (not .Values.otel.endpoint) -}}
{{- fail "otel.enabled is true but otel.endpoint is empty" -}}
{{- end -}}
{{- end -}}

{{/* Topology spread; call with (dict "root" $ "component" "store") */}}
{{- define "pulse.topologySpread" -}}
{{- if .root.Values.topologySpread.enabled }}
topologySpreadConstraints:
{{- range .root.Values.topologySpread.topologyKeys }}
  - maxSkew: {{ $.root.Values.topologySpread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $.root.Values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "pulse.selectorLabels" $ | nindent 8 }}
    {{- if not $.statefulset }}
    matchLabelKeys: [pod-template-hash]
    {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Probe timings object -> YAML fields */}}
{{- define "pulse.probeTimings" -}}
{{- range $k, $v := . }}
{{ $k }}: {{ $v }}
{{- end }}
{{- end -}}

{{/*
The pod template every Pulse workload shares. Call with a dict:
  root, component, svc (the service's values), env (rendered YAML list of EnvVar, may be ""),
  ports (list of dict name/port), probes (rendered YAML: startupProbe/livenessProbe/readinessProbe),
  volumes, volumeMounts (rendered YAML lists, may be ""), configChecksum.
*/}}
{{- define "pulse.podTemplate" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
metadata:
  labels:
    {{- include "pulse.labels" . | nindent 4 }}
    {{- with $svc.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ .configChecksum }}
    {{- with $svc.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "pulse.componentName" . }}
  automountServiceAccountToken: false
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ add (div $root.Values.shutdownTimeoutMs 1000) 5 }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with $svc.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  {{- with include "pulse.topologySpread" . | trim }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- with $svc.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $svc.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $svc.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "pulse.image" (dict "root" $root "component" .component "image" $svc.image) }}
      imagePullPolicy: {{ $svc.image.pullPolicy }}
      securityContext:
        {{- toYaml $root.Values.containerSecurityContext | nindent 8 }}
      envFrom:
        - configMapRef:
            name: {{ include "pulse.fullname" $root }}-common
        - configMapRef:
            name: {{ include "pulse.componentName" . }}
      env:
        - name: OTEL_SERVICE_NAME
          value: {{ .component }}
        - name: K8S_POD_NAME
          valueFrom: { fieldRef: { fieldPath: metadata.name } }
        - name: OTEL_RESOURCE_ATTRIBUTES
          value: {{ printf "k8s.pod.name=$(K8S_POD_NAME),k8s.namespace.name=%s,service.version=%s%s" $root.Release.Namespace $root.Chart.AppVersion (ternary (printf ",%s" $root.Values.otel.resourceAttributes) "" (ne $root.Values.otel.resourceAttributes "")) | quote }}
        {{- with .env }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- include "pulse.natsEnv" . | indent 8 }}
        {{- include "pulse.tlsEnv" $root | indent 8 }}
        {{- if eq .component "store" }}
        {{- include "pulse.cassandraEnv" $root | indent 8 }}
        {{- end }}
        {{- with $svc.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        {{- range .ports }}
        - name: {{ .name }}
          containerPort: {{ .port }}
          protocol: TCP
        {{- end }}
      {{- include "pulse.tlsProbes" (dict "root" $root "probes" .probes) | nindent 6 }}
      resources:
        {{- toYaml $svc.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- with .volumeMounts }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- include "pulse.natsVolumeMounts" . | indent 8 }}
        {{- include "pulse.tlsVolumeMounts" $root | indent 8 }}
        {{- if eq .component "store" }}
        {{- include "pulse.cassandraVolumeMounts" $root | indent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- with .volumes }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- include "pulse.natsVolumes" . | indent 4 }}
    {{- include "pulse.tlsVolumes" $root | indent 4 }}
    {{- if eq .component "store" }}
    {{- include "pulse.cassandraVolumes" $root | indent 4 }}
    {{- end }}
{{- end -}}

{{/* HTTP probe on the "http" port; args: path, timings */}}
{{- define "pulse.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: http
{{- include "pulse.probeTimings" .timings }}
{{- end -}}

{{/* gRPC probe (grpc.health.v1); args: port, timings */}}
{{- define "pulse.grpcProbe" -}}
grpc:
  port: {{ .port }}
{{- include "pulse.probeTimings" .timings }}
{{- end -}}

{{/* The API-key file volume and mount (gateway, store, forecast, console). */}}
{{- define "pulse.apiKeysVolume" -}}
- name: api-keys
  secret:
    secretName: {{ include "pulse.apiKeysSecretName" . }}
    defaultMode: 0440
    items:
      - key: {{ .Values.apiKeys.existingSecretKey }}
        path: keys.json
{{- end -}}
{{- define "pulse.apiKeysMount" -}}
- name: api-keys
  mountPath: /etc/pulse/api-keys
  readOnly: true
{{- end -}}

{{/* The forecast watcher's key file volume and mount (only when watch keys are given). */}}
{{- define "pulse.forecastWatchKeysVolume" -}}
- name: watch-keys
  secret:
    secretName: {{ include "pulse.forecastWatchKeysSecretName" . }}
    defaultMode: 0440
    items:
      - key: {{ .Values.forecast.watchKeys.existingSecretKey }}
        path: watch-keys.json
{{- end -}}
{{- define "pulse.forecastWatchKeysMount" -}}
- name: watch-keys
  mountPath: /etc/pulse/watch-keys
  readOnly: true
{{- end -}}

{{/* ServiceAccount, PDB and HPA shared by every workload; call with (dict root component svc kind) */}}
{{- define "pulse.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "pulse.componentName" . }}
  labels:
    {{- include "pulse.labels" . | nindent 4 }}
automountServiceAccountToken: false
{{- end -}}

{{- define "pulse.pdb" -}}
{{- if .svc.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "pulse.componentName" . }}
  labels:
    {{- include "pulse.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .svc.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "pulse.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{- define "pulse.hpa" -}}
{{- if .svc.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "pulse.componentName" . }}
  labels:
    {{- include "pulse.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "pulse.componentName" . }}
  minReplicas: {{ .svc.autoscaling.minReplicas }}
  maxReplicas: {{ .svc.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .svc.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end -}}
