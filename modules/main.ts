// The program: config -> foundation -> workloads -> outputs. The Pulumi CLI (through index.ts) and
// the offline engine both call main().
import { loadStackConfig, type StackConfig } from "./config";
import type { Foundation } from "./cloud/contract";
import { ExistingCluster } from "./cloud/existing";
import { ImageResolver } from "./images";
import { KubeflowPipelines } from "./kfp";

/** Builds the foundation the stack's `cluster.target` names. */
function createFoundation(config: StackConfig, images: ImageResolver): Foundation {
  switch (config.cluster.target) {
    case "existing":
      return new ExistingCluster("platform", {
        cluster: config.cluster,
        namespace: config.platformNamespace,
        objectStore: config.objectStore,
        database: config.database,
        protectData: config.protectData,
        podSecurity: config.platformPodSecurity,
        images,
      });
  }
}

export async function main() {
  const config = loadStackConfig();
  const images = new ImageResolver(config.images);
  const foundation = createFoundation(config, images);
  const kfp = new KubeflowPipelines("kfp", { foundation, settings: config.kfp, images });
  return {
    environment: config.environment,
    namespace: foundation.namespace,
    objectStore: {
      kind: foundation.objectStore.kind,
      bucket: foundation.objectStore.bucket,
      endpoint: foundation.objectStore.endpoint,
    },
    database: { host: foundation.database.host, port: foundation.database.port },
    kfp: { api: kfp.apiEndpoint, ui: kfp.uiService, pipelineRoot: kfp.pipelineRoot },
  };
}
