// Every format adapter, in detection order (most specific first; native first, generic Kubernetes and plain vLLM
// config last).
import type { FormatAdapter } from './adapter';
import { aibrixFleetAdapter } from './aibrix';
import { dynamoAdapter } from './dynamo';
import { aibrixStormAdapter, kubernetesAdapter, leaderWorkerSetAdapter } from './k8s';
import { kserveAdapter, llmInferenceServiceAdapter } from './kserve';
import { kaitoAdapter } from './kaito';
import { kubeaiAdapter } from './kubeai';
import { llmdAdapter } from './llmd';
import { nativeAdapter } from './native';
import { nimHelmAdapter, nimKserveAdapter, nimPodAdapter, nimRuntimeAdapter, nimServiceAdapter } from './nim';
import { productionStackAdapter } from './productionStack';
import { rayServeAdapter, rayServiceAdapter } from './rayServe';
import { vllmConfigAdapter } from './vllmConfig';

export const ADAPTERS: FormatAdapter[] = [
  nativeAdapter,
  nimKserveAdapter,
  nimRuntimeAdapter,
  kserveAdapter,
  llmInferenceServiceAdapter,
  rayServiceAdapter,
  rayServeAdapter,
  productionStackAdapter,
  llmdAdapter,
  dynamoAdapter,
  kubeaiAdapter,
  kaitoAdapter,
  nimServiceAdapter,
  nimHelmAdapter,
  nimPodAdapter,
  aibrixStormAdapter,
  aibrixFleetAdapter,
  leaderWorkerSetAdapter,
  kubernetesAdapter,
  vllmConfigAdapter,
];
