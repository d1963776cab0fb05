// Cloud GPU instance types -> GPU model and count, for `node.kubernetes.io/instance-type` selectors.
// Sources: AWS EC2 accelerated-computing instance types (https://aws.amazon.com/ec2/instance-types/ , P4/P5/G5/G6/
// G6e/G4dn pages), Google Cloud GPU machine types (https://cloud.google.com/compute/docs/gpus : A2, A3, A4, G2), Azure
// GPU VM sizes (https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated : ND A100 v4, NDm A100 v4,
// ND H100 v5, ND H200 v5, ND MI300X v5, NC A100 v4, NC H100 v5, NVadsA10 v5, NCasT4 v3). GPU ids are catalog ids.

export interface InstanceGpu {
  gpu: string;
  count: number;
}

const T: Record<string, InstanceGpu> = {};
const add = (gpu: string, entries: Record<string, number>) => {
  for (const [k, n] of Object.entries(entries)) T[k.toLowerCase()] = { gpu, count: n };
};

// AWS
add('A100-SXM4-40GB', { 'p4d.24xlarge': 8 });
add('A100-SXM4-80GB', { 'p4de.24xlarge': 8 });
add('H100-SXM', { 'p5.48xlarge': 8, 'p5.4xlarge': 1 });
add('H200-SXM', { 'p5e.48xlarge': 8, 'p5en.48xlarge': 8 });
add('B200', { 'p6-b200.48xlarge': 8 });
add('V100-SXM2-32GB', { 'p3dn.24xlarge': 8 });
add('A10G', { 'g5.xlarge': 1, 'g5.2xlarge': 1, 'g5.4xlarge': 1, 'g5.8xlarge': 1, 'g5.16xlarge': 1, 'g5.12xlarge': 4, 'g5.24xlarge': 4, 'g5.48xlarge': 8 });
add('L4', {
  'g6.xlarge': 1,
  'g6.2xlarge': 1,
  'g6.4xlarge': 1,
  'g6.8xlarge': 1,
  'g6.16xlarge': 1,
  'g6.12xlarge': 4,
  'g6.24xlarge': 4,
  'g6.48xlarge': 8,
  'gr6.4xlarge': 1,
  'gr6.8xlarge': 1,
});
add('L40S', {
  'g6e.xlarge': 1,
  'g6e.2xlarge': 1,
  'g6e.4xlarge': 1,
  'g6e.8xlarge': 1,
  'g6e.16xlarge': 1,
  'g6e.12xlarge': 4,
  'g6e.24xlarge': 4,
  'g6e.48xlarge': 8,
});
add('T4', { 'g4dn.xlarge': 1, 'g4dn.2xlarge': 1, 'g4dn.4xlarge': 1, 'g4dn.8xlarge': 1, 'g4dn.16xlarge': 1, 'g4dn.12xlarge': 4, 'g4dn.metal': 8 });
// Google Cloud
add('A100-SXM4-40GB', { 'a2-highgpu-1g': 1, 'a2-highgpu-2g': 2, 'a2-highgpu-4g': 4, 'a2-highgpu-8g': 8, 'a2-megagpu-16g': 16 });
add('A100-SXM4-80GB', { 'a2-ultragpu-1g': 1, 'a2-ultragpu-2g': 2, 'a2-ultragpu-4g': 4, 'a2-ultragpu-8g': 8 });
add('H100-SXM', { 'a3-highgpu-1g': 1, 'a3-highgpu-2g': 2, 'a3-highgpu-4g': 4, 'a3-highgpu-8g': 8, 'a3-megagpu-8g': 8, 'a3-edgegpu-8g': 8 });
add('H200-SXM', { 'a3-ultragpu-8g': 8 });
add('B200', { 'a4-highgpu-8g': 8 });
add('L4', {
  'g2-standard-4': 1,
  'g2-standard-8': 1,
  'g2-standard-12': 1,
  'g2-standard-16': 1,
  'g2-standard-32': 1,
  'g2-standard-24': 2,
  'g2-standard-48': 4,
  'g2-standard-96': 8,
});
// Azure
add('A100-SXM4-40GB', { Standard_ND96asr_v4: 8 });
add('A100-SXM4-80GB', { Standard_ND96amsr_A100_v4: 8 });
add('A100-PCIe-80GB', { Standard_NC24ads_A100_v4: 1, Standard_NC48ads_A100_v4: 2, Standard_NC96ads_A100_v4: 4 });
add('H100-SXM', { Standard_ND96isr_H100_v5: 8 });
add('H200-SXM', { Standard_ND96isr_H200_v5: 8 });
add('H100-NVL', { Standard_NC40ads_H100_v5: 1, Standard_NC80adis_H100_v5: 2 });
add('MI300X', { Standard_ND96is_MI300X_v5: 8 });
add('A10', { Standard_NV36ads_A10_v5: 1, Standard_NV36adms_A10_v5: 1, Standard_NV72ads_A10_v5: 2 });
add('T4', { Standard_NC4as_T4_v3: 1, Standard_NC8as_T4_v3: 1, Standard_NC16as_T4_v3: 1, Standard_NC64as_T4_v3: 4 });

export function instanceGpu(instanceType: string): InstanceGpu | undefined {
  return T[instanceType.trim().toLowerCase()];
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceGpu>> = T;
