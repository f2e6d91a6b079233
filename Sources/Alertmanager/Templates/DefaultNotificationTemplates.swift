/// Vigil's built-in notification templates, available to every configuration under the names
/// Alertmanager users reference (`email.default.subject`, `email.default.html`, …).
enum DefaultNotificationTemplates {
    static let source = #"""
    {{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}

    {{ define "__subject" -}}
    [{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}]
    {{- range .GroupLabels.SortedPairs.Values }} {{ . }}{{ end }}
    {{- with .CommonLabels.Remove .GroupLabels.Names }}{{ if . }} ({{ .Values | join " " }}){{ end }}{{ end }}
    {{- end }}

    {{ define "__description" }}{{ end }}

    {{ define "__text_alert_list" }}{{ range . }}
    {{ if .Annotations.summary }}{{ .Annotations.summary }}{{ else }}{{ .Labels.alertname }}{{ end }}
      Started: {{ .StartsAt }}{{ if eq .Status "resolved" }}
      Resolved: {{ .EndsAt }}{{ end }}
      Labels:
    {{ range .Labels.SortedPairs }}    {{ .Name }} = {{ .Value }}
    {{ end }}{{ if .Annotations }}  Annotations:
    {{ range .Annotations.SortedPairs }}    {{ .Name }} = {{ .Value }}
    {{ end }}{{ end }}{{ if .GeneratorURL }}  Source: {{ .GeneratorURL }}
    {{ end }}{{ end }}{{ end }}

    {{ define "__alertmanager" }}Vigil{{ end }}

    {{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
    {{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
    {{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
    {{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
    {{ define "slack.default.callbackid" }}{{ end }}
    {{ define "slack.default.pretext" }}{{ end }}
    {{ define "slack.default.iconemoji" }}{{ end }}
    {{ define "slack.default.iconurl" }}{{ end }}
    {{ define "slack.default.footer" }}{{ end }}
    {{ define "slack.default.text" -}}
    {{ range .Alerts }}{{ if eq .Status "resolved" }}✓ {{ else }}• {{ end }}{{ if .Annotations.summary }}{{ .Annotations.summary }}{{ else }}{{ .Labels.alertname }}{{ end }}{{ if .Labels.instance }} ({{ .Labels.instance }}){{ end }}
    {{ end }}{{ end }}

    {{ define "discord.default.title" }}{{ template "__subject" . }}{{ end }}
    {{ define "discord.default.content" }}{{ end }}
    {{ define "discord.default.message" -}}
    {{ if .Alerts.Firing }}Firing:
    {{ template "__text_alert_list" .Alerts.Firing }}{{ end }}{{ if .Alerts.Resolved }}Resolved:
    {{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}
    {{- end }}

    {{ define "pagerduty.default.description" }}{{ template "__subject" . }}{{ end }}
    {{ define "pagerduty.default.client" }}{{ template "__alertmanager" . }}{{ end }}
    {{ define "pagerduty.default.clientURL" }}{{ template "__alertmanagerURL" . }}{{ end }}
    {{ define "pagerduty.default.instances" }}{{ template "__text_alert_list" . }}{{ end }}

    {{ define "opsgenie.default.message" }}{{ template "__subject" . }}{{ end }}
    {{ define "opsgenie.default.description" -}}
    {{ if .Alerts.Firing }}Firing:
    {{ template "__text_alert_list" .Alerts.Firing }}{{ end }}{{ if .Alerts.Resolved }}Resolved:
    {{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}
    {{- end }}
    {{ define "opsgenie.default.source" }}{{ template "__alertmanagerURL" . }}{{ end }}

    {{ define "__telegram_alert_list" }}{{ range . }}
    <b>{{ if .Annotations.summary }}{{ html .Annotations.summary }}{{ else }}{{ html .Labels.alertname }}{{ end }}</b>
    {{ range .Labels.SortedPairs }}  {{ html .Name }} = {{ html .Value }}
    {{ end }}{{ if .GeneratorURL }}  <a href="{{ html .GeneratorURL }}">source</a>
    {{ end }}{{ end }}{{ end }}
    {{ define "telegram.default.message" -}}
    {{ if .Alerts.Firing }}🔥 <b>Firing: {{ len .Alerts.Firing }}</b>
    {{ template "__telegram_alert_list" .Alerts.Firing }}{{ end }}{{ if .Alerts.Resolved }}✅ <b>Resolved: {{ len .Alerts.Resolved }}</b>
    {{ template "__telegram_alert_list" .Alerts.Resolved }}{{ end }}
    {{- end }}

    {{ define "msteamsv2.default.title" }}{{ template "__subject" . }}{{ end }}
    {{ define "msteamsv2.default.text" -}}
    {{ if .Alerts.Firing }}**Firing**

    {{ range .Alerts.Firing }}- {{ if .Annotations.summary }}{{ .Annotations.summary }}{{ else }}{{ .Labels.alertname }}{{ end }}{{ if .Labels.instance }} ({{ .Labels.instance }}){{ end }}
    {{ end }}{{ end }}{{ if .Alerts.Resolved }}
    **Resolved**

    {{ range .Alerts.Resolved }}- {{ if .Annotations.summary }}{{ .Annotations.summary }}{{ else }}{{ .Labels.alertname }}{{ end }}{{ if .Labels.instance }} ({{ .Labels.instance }}){{ end }}
    {{ end }}{{ end }}
    {{- end }}

    {{ define "email.default.subject" }}{{ template "__subject" . }}{{ end }}

    {{ define "email.default.text" -}}
    {{ if eq .Status "firing" }}{{ len .Alerts.Firing }} alert{{ if gt (len .Alerts.Firing) 1 }}s{{ end }} firing{{ else }}All alerts resolved{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}(receiver {{ .Receiver }})
    {{ if .Alerts.Firing }}
    FIRING
    {{ template "__text_alert_list" .Alerts.Firing }}{{ end }}{{ if .Alerts.Resolved }}
    RESOLVED
    {{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}
    View in Vigil: {{ template "__alertmanagerURL" . }}
    {{ end }}

    {{ define "__html_alert_list" }}{{ range . }}
    <tr><td style="padding:8px 12px;border-top:1px solid #e3e6ea">
    <div style="font-weight:bold">{{ if .Annotations.summary }}{{ html .Annotations.summary }}{{ else }}{{ html .Labels.alertname }}{{ end }}</div>
    {{ if .Annotations.description }}<div style="margin:4px 0">{{ html .Annotations.description }}</div>{{ end }}
    <div style="color:#555;font-size:13px">
    {{ range .Labels.SortedPairs }}<span style="display:inline-block;margin:2px 4px 2px 0;padding:1px 6px;background:#eef1f4;border-radius:3px">{{ html .Name }}={{ html .Value }}</span>{{ end }}
    </div>
    <div style="color:#777;font-size:12px">started {{ .StartsAt }}{{ if eq .Status "resolved" }}, resolved {{ .EndsAt }}{{ end }}{{ if .GeneratorURL }} · <a href="{{ html .GeneratorURL }}">source</a>{{ end }}</div>
    </td></tr>{{ end }}{{ end }}

    {{ define "email.default.html" -}}
    <!DOCTYPE html>
    <html><head><meta charset="UTF-8"><title>{{ html (print (len .Alerts) " alerts") }}</title></head>
    <body style="margin:0;padding:16px;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222">
    <table style="width:100%;max-width:640px;margin:0 auto;background:#fff;border-collapse:collapse;border-radius:4px">
    <tr><td style="padding:12px;color:#fff;background:{{ if eq .Status "firing" }}#c0392b{{ else }}#27ae60{{ end }}">
    {{ if eq .Status "firing" }}{{ len .Alerts.Firing }} firing{{ if .Alerts.Resolved }}, {{ len .Alerts.Resolved }} resolved{{ end }}{{ else }}Resolved{{ end }}:
    {{ range .GroupLabels.SortedPairs }}{{ html .Name }}={{ html .Value }} {{ end }}
    </td></tr>
    {{ if .Alerts.Firing }}<tr><td style="padding:8px 12px;font-weight:bold;color:#c0392b">Firing</td></tr>{{ template "__html_alert_list" .Alerts.Firing }}{{ end }}
    {{ if .Alerts.Resolved }}<tr><td style="padding:8px 12px;font-weight:bold;color:#27ae60">Resolved</td></tr>{{ template "__html_alert_list" .Alerts.Resolved }}{{ end }}
    <tr><td style="padding:12px;border-top:1px solid #e3e6ea"><a href="{{ template "__alertmanagerURL" . }}">View in Vigil</a></td></tr>
    </table></body></html>
    {{ end }}
    """#
}
