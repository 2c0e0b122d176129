// The monitoring stack as local and aws-prod plan it: kube-prometheus-stack pinned with its CRDs from
// their own release, every image from the versions table (through aws-prod's caches), every container
// sized, the profile's replicas and retention; the kit's PodMonitors; mysqld_exporter logging in as the
// bootstrap's metrics user; Grafana's admin password generated and kept secret.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { GRAFANA_ADMIN_SECRET, STACK_RELEASE } from "../modules/monitoring";
import { JOBS } from "../modules/monitoring/alerts";
import { MONITORING_SIZES } from "../modules/config/monitoring";
import { MONITOR_DB_USER } from "../modules/data/mysql-bootstrap";
import { charts, images } from "../modules/versions";
import { containersOf, findObject, ofType, REPO_ROOT } from "./helpers";
import { ImageResolver } from "../modules/images";
import { stackValues } from "../modules/monitoring/stack-values";

const plans: Record<string, PlanResult> = {};
before(async () => {
  for (const stack of ["local", "aws-prod", "gcp-dev"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
});

const release = (plan: PlanResult, chart: string) => ofType(plan, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === chart)!;
const values = (plan: PlanResult) => release(plan, charts.kubePrometheusStack.chart).inputs.values as any;
const podMonitors = (plan: PlanResult) => plan.objects.map((o) => o.object as any).filter((o) => o.kind === "PodMonitor");

describe("monitoring", () => {
  it("pins kube-prometheus-stack and installs the operator's CRDs from their own release, first", () => {
    for (const plan of Object.values(plans)) {
      const crds = release(plan, charts.prometheusOperatorCrds.chart);
      const stack = release(plan, charts.kubePrometheusStack.chart);
      assert.equal(crds.inputs.version, charts.prometheusOperatorCrds.version);
      assert.equal(stack.inputs.version, charts.kubePrometheusStack.version);
      assert.equal(stack.inputs.name, STACK_RELEASE);
      assert.equal(values(plan).crds.enabled, false);
      assert.equal(stack.inputs.skipCrds, true);
      assert.ok(stack.dependsOn.includes(crds.urn), "the stack waits for the CRDs");
      for (const r of ofType(plan, "kubernetes:monitoring.coreos.com/v1:PodMonitor")) assert.ok(r.dependsOn.includes(crds.urn), `${r.name} waits for the CRDs`);
    }
    assert.equal(charts.prometheusOperatorCrds.operator, images.prometheusOperator.tag);
  });

  it("runs every chart image from the versions table, through aws-prod's ECR caches", () => {
    const v = values(plans["aws-prod"]);
    const ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kfp-prod";
    const imageOf = (x: any) => `${x.registry}/${x.repository}:${x.tag}`;
    const routed = (name: keyof typeof images) => images[name].repository.replace(/^quay\.io/, `${ecr}/quay`).replace(/^registry\.k8s\.io/, `${ecr}/k8s`).replace(/^docker\.io/, `${ecr}/docker-hub`).replace(/^ghcr\.io/, `${ecr}/ghcr`) + `:${images[name].tag}`;
    assert.equal(imageOf(v.prometheus.prometheusSpec.image), routed("prometheus"));
    assert.equal(imageOf(v.prometheusOperator.image), routed("prometheusOperator"));
    assert.equal(imageOf(v.prometheusOperator.prometheusConfigReloader.image), routed("prometheusConfigReloader"));
    assert.equal(imageOf(v.prometheusOperator.admissionWebhooks.patch.image), routed("webhookCertgen"));
    assert.equal(imageOf(v.alertmanager.alertmanagerSpec.image), routed("alertmanager"));
    assert.equal(imageOf(v.grafana.image), routed("grafana"));
    assert.equal(imageOf(v.grafana.sidecar.image), routed("grafanaSidecar"));
    assert.equal(imageOf(v["kube-state-metrics"].image), routed("kubeStateMetrics"));
    assert.equal(imageOf(v["prometheus-node-exporter"].image), routed("nodeExporter"));
    assert.equal(v["prometheus-node-exporter"].image.distroless, false, "the tag already names the distroless build");
    // local pulls them from where the table names them.
    assert.equal(imageOf(values(plans.local).grafana.image), `${images.grafana.repository}:${images.grafana.tag}`);
  });

  it("hands each chart image's digest in the form its chart reads, and none without one", () => {
    const hex = "a".repeat(64);
    const digest = `sha256:${hex}`;
    const names = ["prometheus", "alertmanager", "prometheusOperator", "prometheusConfigReloader", "webhookCertgen", "grafana", "grafanaSidecar", "kubeStateMetrics", "nodeExporter"] as const;
    const values = (digests: Record<string, string>) =>
      stackValues({
        images: new ImageResolver({ digests }, {}),
        retention: "2d",
        replicas: 1,
        resources: Object.fromEntries(Object.keys(MONITORING_SIZES).map((k) => [k, (MONITORING_SIZES as any)[k]])) as any,
        grafanaAdminSecret: "g",
        dashboardsNamespace: "monitoring",
        coreDns: true,
        alertmanagerConfigSecret: "a",
      }) as any;
    const v = values(Object.fromEntries(names.map((n) => [n, digest])));
    // kube-prometheus-stack 88.5.3 and Grafana 12.11.1 add "@sha256:" themselves: bare hex.
    for (const image of [v.prometheus.prometheusSpec.image, v.alertmanager.alertmanagerSpec.image, v.prometheusOperator.image, v.prometheusOperator.prometheusConfigReloader.image, v.prometheusOperator.admissionWebhooks.patch.image, v.grafana.image, v.grafana.sidecar.image]) {
      assert.equal(image.sha, hex, JSON.stringify(image));
    }
    // kube-state-metrics 8.4.0 writes "@<sha>"; node-exporter 4.56.1 refuses sha and writes "@<digest>".
    assert.equal(v["kube-state-metrics"].image.sha, digest);
    assert.deepEqual([v["prometheus-node-exporter"].image.digest, v["prometheus-node-exporter"].image.sha], [digest, undefined]);
    const none = values({});
    assert.deepEqual([none.prometheus.prometheusSpec.image.sha, none["prometheus-node-exporter"].image.digest], [undefined, undefined]);
  });

  it("sizes every container the chart starts, and scales with the profile", () => {
    const v = values(plans["aws-prod"]);
    const sized = [
      v.prometheus.prometheusSpec.resources,
      v.alertmanager.alertmanagerSpec.resources,
      v.prometheusOperator.resources,
      v.prometheusOperator.prometheusConfigReloader.resources,
      v.prometheusOperator.admissionWebhooks.patch.resources,
      v.grafana.resources,
      v.grafana.sidecar.resources,
      v["kube-state-metrics"].resources,
      v["prometheus-node-exporter"].resources,
    ];
    for (const r of sized) assert.ok(r.requests.cpu && r.requests.memory && r.limits.memory, JSON.stringify(r));
    assert.deepEqual(v.prometheus.prometheusSpec.resources, MONITORING_SIZES.prometheus);
    // production in prod: two replicas, 15 days on a volume; light on local: one, 2 days in an emptyDir.
    assert.equal(v.prometheus.prometheusSpec.replicas, 2);
    assert.equal(v.alertmanager.alertmanagerSpec.replicas, 2);
    assert.equal(v.prometheus.prometheusSpec.retention, "15d");
    assert.equal(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, "100Gi");
    const light = values(plans.local);
    assert.equal(light.prometheus.prometheusSpec.replicas, 1);
    assert.equal(light.prometheus.prometheusSpec.retention, "2d");
    assert.equal(light.prometheus.prometheusSpec.storageSpec, undefined);
    assert.deepEqual(v["kube-state-metrics"].metricLabelsAllowlist, ["nodes=[kfp-platform/pool]"]);
  });

  it("does not scrape control-plane parts no managed or laptop cluster exposes, so no *Down alert pages for them", () => {
    for (const plan of Object.values(plans)) {
      const v = values(plan);
      for (const component of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) assert.equal(v[component].enabled, false, component);
      assert.equal(v.defaultRules.rules.kubeControllerManager, false);
      assert.equal(v.defaultRules.rules.etcd, false);
      assert.equal(v.kubeApiServer, undefined, "the API server (and its etcd object counts) stays scraped");
    }
  });

  it("leaves CoreDNS scraped where the cluster runs it, and off on GKE, whose kube-dns serves nothing on 9153", () => {
    assert.deepEqual(values(plans["gcp-dev"]).coreDns, { enabled: false });
    for (const stack of ["local", "aws-prod"]) assert.equal(values(plans[stack]).coreDns, undefined, `${stack} keeps the chart's default (coreDns.enabled: true)`);
  });

  it("scrapes KFP's API server, Argo's controller over TLS, mysqld_exporter, DCGM where GPUs are and MinIO where it runs", () => {
    const jobs = (plan: PlanResult) => podMonitors(plan).map((m) => m.metadata.name).sort();
    assert.deepEqual(jobs(plans.local), [JOBS.argoController, JOBS.kfpApiServer, JOBS.minio, JOBS.mysqldExporter].sort());
    assert.deepEqual(jobs(plans["aws-prod"]), [JOBS.argoController, JOBS.dcgmExporter, JOBS.kfpApiServer, JOBS.mysqldExporter].sort());
    for (const m of podMonitors(plans["aws-prod"])) {
      assert.equal(m.metadata.labels.release, STACK_RELEASE, `${m.metadata.name} is selected by the chart's Prometheus`);
      assert.deepEqual(m.spec.podMetricsEndpoints[0].relabelings[0], { action: "replace", targetLabel: "job", replacement: m.metadata.name });
    }
    const argo = podMonitors(plans["aws-prod"]).find((m) => m.metadata.name === JOBS.argoController);
    assert.deepEqual(argo.spec.selector.matchLabels, { app: "workflow-controller" });
    assert.equal(argo.spec.podMetricsEndpoints[0].scheme, "https");
    assert.equal(argo.spec.podMetricsEndpoints[0].tlsConfig.insecureSkipVerify, true);
    // The selected pods expose the named ports.
    const controller = findObject(plans["aws-prod"], "Deployment", "workflow-controller") as any;
    assert.ok(controller.spec.template.spec.containers[0].ports.some((p: any) => p.name === "metrics" && p.containerPort === 9090));
    const dcgm = podMonitors(plans["aws-prod"]).find((m) => m.metadata.name === JOBS.dcgmExporter);
    assert.equal(dcgm.spec.podMetricsEndpoints[0].honorLabels, true);
    assert.deepEqual(dcgm.spec.podMetricsEndpoints[0].relabelings[1], { action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" });
  });

  it("runs mysqld_exporter as the bootstrap's metrics user against the database, restricted", () => {
    for (const [stack, host] of [["local", "mysql.kubeflow.svc:3306"], ["aws-prod", undefined]] as const) {
      const exporter = containersOf(plans[stack]).find((c) => c.owner === "Deployment mysqld-exporter")!.container;
      assert.ok(exporter.args.includes(`--mysqld.username=${MONITOR_DB_USER}`));
      if (host) assert.ok(exporter.args.includes(`--mysqld.address=${host}`), exporter.args.join(" "));
      assert.deepEqual(exporter.env, [{ name: "MYSQLD_EXPORTER_PASSWORD", valueFrom: { secretKeyRef: { name: "mysqld-exporter", key: "password" } } }]);
      assert.equal(exporter.securityContext.readOnlyRootFilesystem, true);
    }
    const bootstrap = findObject(plans.local, "ConfigMap", "mysql-bootstrap") as any;
    assert.match(bootstrap.data["bootstrap.sql"], new RegExp(`GRANT PROCESS, REPLICATION CLIENT ON \\*\\.\\* TO '${MONITOR_DB_USER}'@'%'`));
  });

  it("gives Grafana a generated admin password in a Secret it reads, and exports how to open it", () => {
    const secret = findObject(plans.local, "Secret", GRAFANA_ADMIN_SECRET) as any;
    assert.equal(secret.stringData["admin-password"], "[secret]");
    assert.deepEqual(values(plans.local).grafana.admin, { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" });
    const out = plans.local.outputs.monitoring as any;
    assert.equal(out.grafana, "kubectl -n monitoring port-forward svc/grafana 3000:80");
    assert.equal(out.grafanaAdminPassword, "[secret]");
    assert.equal((findObject(plans.local, "Namespace", "monitoring") as any).metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("lets the monitoring namespace, as configured, into team namespaces", () => {
    const ingress = plans.local.objects.map((o) => o.object as any).find((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "vision" && o.metadata.name === "allow-ingress");
    const from = ingress.spec.ingress[0].from.map((p: any) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]).filter(Boolean);
    assert.deepEqual(from, ["kubeflow", "monitoring"]);
  });
});
