// The multi-user door: oauth2-proxy (OIDC login) and nginx (gateway-config.ts), the only way to KFP's UI
// and API. Service `ml-pipeline` (what KFP's pods and the SDK dial) points at nginx, which strips the
// identity header; users reach the UI through Service `kfp-gateway`, where nginx sets the header from the
// login. Both run restricted, read-only, sized.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KfpSettings } from "../../config/kfp";
import { contentChecksum } from "../../k8s/checksum";
import type { ContainerResources } from "../../k8s/workload";
import type { ImageResolver } from "../../images";
import { fromSecret } from "../../k8s/env";
import { objectMeta } from "../../k8s/metadata";
import { kfpDeployment, kfpService, RUNTIME_DEFAULT_SECCOMP } from "../../k8s/workload";
import { dashboardLib } from "./dashboard-lib";
import { DASHBOARD_LIB_PATH, GATEWAY_PORTS, gatewayConfig } from "./gateway-config";
import { API_PORTS, API_SERVICE } from "./mode";

export const GATEWAY = "kfp-gateway";
export const OAUTH2_PROXY = "oauth2-proxy";
const OAUTH2_PORT = 4180;
const CONFIG_DIR = "/etc/kfp-gateway";
const TEMP_DIR = "/tmp/nginx";

const RESOURCES: Record<string, ContainerResources> = {
  [GATEWAY]: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
  [OAUTH2_PROXY]: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
};

const restricted = (uid: number) => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
});

export interface GatewayArgs {
  readonly namespace: string;
  readonly settings: NonNullable<KfpSettings["multiUser"]>;
  readonly clientSecret: pulumi.Input<string>;
  /** User -> the team namespaces they belong to (for the namespace picker). */
  readonly namespacesByUser: Readonly<Record<string, readonly string[]>>;
  readonly images: ImageResolver;
  readonly provider: k8s.Provider;
  /** The Services nginx resolves at start (the UI's, the API's, oauth2-proxy's). */
  readonly dependsOn: pulumi.Resource[];
}

export class KfpGateway extends pulumi.ComponentResource {
  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:kfp:Gateway", name, {}, opts);
    const ns = args.namespace;
    const k8sOpts = (...after: pulumi.Resource[]) => ({ parent: this, provider: args.provider, dependsOn: [...args.dependsOn, ...after] });
    const svc = (service: string) => `${service}.${ns}.svc.cluster.local`;

    // oauth2-proxy: OIDC login, /oauth2/auth for nginx's auth_request (202 + X-Auth-Request-Email).
    const cookieSecret = new random.RandomPassword(`${name}-cookie-secret`, { length: 32, special: false }, { parent: this }).result;
    const secret = new k8s.core.v1.Secret(
      `${name}-oauth2-proxy`,
      { metadata: objectMeta(OAUTH2_PROXY, ns), type: "Opaque", stringData: { "client-secret": pulumi.secret(args.clientSecret), "cookie-secret": pulumi.secret(cookieSecret) } },
      k8sOpts(),
    );
    const external = new URL(args.settings.externalUrl);
    const proxy = kfpDeployment(
      `${name}-oauth2-proxy`,
      ns,
      {
        name: OAUTH2_PROXY,
        select: { app: OAUTH2_PROXY },
        replicas: 2,
        resources: RESOURCES[OAUTH2_PROXY],
        pod: { automountServiceAccountToken: false, securityContext: RUNTIME_DEFAULT_SECCOMP },
        container: {
          name: OAUTH2_PROXY,
          image: args.images.ref("oauth2Proxy"),
          imagePullPolicy: "IfNotPresent",
          args: [
            "--provider=oidc",
            `--oidc-issuer-url=${args.settings.oidc.issuerUrl}`,
            `--client-id=${args.settings.oidc.clientId}`,
            `--redirect-url=${external.origin}/oauth2/callback`,
            // Its default is 127.0.0.1: unreachable from nginx's pods.
            `--http-address=0.0.0.0:${OAUTH2_PORT}`,
            "--reverse-proxy=true",
            "--set-xauthrequest=true",
            "--upstream=static://202",
            `--cookie-secure=${external.protocol === "https:"}`,
            ...args.settings.emailDomains.map((d) => `--email-domain=${d}`),
          ],
          env: [fromSecret("OAUTH2_PROXY_CLIENT_SECRET", OAUTH2_PROXY, "client-secret"), fromSecret("OAUTH2_PROXY_COOKIE_SECRET", OAUTH2_PROXY, "cookie-secret")],
          ports: [{ name: "http", containerPort: OAUTH2_PORT }],
          readinessProbe: { httpGet: { path: "/ping", port: OAUTH2_PORT }, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: "/ping", port: OAUTH2_PORT }, periodSeconds: 30 },
          securityContext: restricted(65532),
        },
      },
      k8sOpts(secret),
    );
    const proxyService = kfpService(`${name}-oauth2-proxy-service`, ns, OAUTH2_PROXY, { app: OAUTH2_PROXY }, [{ name: "http", port: OAUTH2_PORT }], k8sOpts(proxy));

    const config = gatewayConfig({
      upstreams: {
        ui: `${svc("ml-pipeline-ui")}:80`,
        apiHttp: `${svc(API_SERVICE)}:${API_PORTS.http}`,
        apiGrpc: `${svc(API_SERVICE)}:${API_PORTS.grpc}`,
        oauth2Proxy: `${svc(OAUTH2_PROXY)}:${OAUTH2_PORT}`,
      },
      namespacesByUser: args.namespacesByUser,
      staticDir: CONFIG_DIR,
      tempDir: TEMP_DIR,
    });
    const files = { "nginx.conf": config, [DASHBOARD_LIB_PATH.slice(1)]: dashboardLib() };
    const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: objectMeta(GATEWAY, ns), data: files }, k8sOpts());
    const checksum = contentChecksum(files);
    const gateway = kfpDeployment(
      `${name}-deployment`,
      ns,
      {
        name: GATEWAY,
        select: { app: GATEWAY },
        replicas: 2,
        resources: RESOURCES[GATEWAY],
        podAnnotations: { "kfp-platform/config-checksum": checksum },
        pod: {
          automountServiceAccountToken: false,
          securityContext: RUNTIME_DEFAULT_SECCOMP,
          volumes: [
            { name: "config", configMap: { name: configMap.metadata.name } },
            // nginx's pid and temporary paths; transfers stream past it (gateway-config.ts), so its size
            // bounds no download or upload.
            { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
          ],
        },
        container: {
          name: GATEWAY,
          image: args.images.ref("gateway"),
          imagePullPolicy: "IfNotPresent",
          command: ["nginx", "-c", `${CONFIG_DIR}/nginx.conf`, "-g", "daemon off;"],
          ports: [
            { name: "ui", containerPort: GATEWAY_PORTS.ui },
            { name: "http", containerPort: GATEWAY_PORTS.http },
            { name: "grpc", containerPort: GATEWAY_PORTS.grpc },
          ],
          readinessProbe: { tcpSocket: { port: GATEWAY_PORTS.ui }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: GATEWAY_PORTS.ui }, periodSeconds: 30 },
          securityContext: restricted(101),
          volumeMounts: [
            { name: "config", mountPath: CONFIG_DIR, readOnly: true },
            { name: "tmp", mountPath: TEMP_DIR },
          ],
        },
      },
      k8sOpts(configMap, proxyService),
    );
    // What KFP's pods, the persistence agent, the scheduled-workflow controller and the SDK dial.
    kfpService(`${name}-api-service`, ns, "ml-pipeline", { app: GATEWAY }, [
      { name: "http", port: API_PORTS.http, targetPort: "http" },
      { name: "grpc", port: API_PORTS.grpc, targetPort: "grpc" },
    ], k8sOpts(gateway));
    // What users reach (a load balancer or `kubectl port-forward svc/kfp-gateway 8080:80`).
    kfpService(`${name}-ui-service`, ns, GATEWAY, { app: GATEWAY }, [{ name: "http", port: 80, targetPort: "ui" }], k8sOpts(gateway));
    this.registerOutputs({ service: GATEWAY });
  }
}
