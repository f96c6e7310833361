/**
 * @retina/fpn: ResNet backbones and the feature pyramid — browser-safe (tfjs ops only). Reading
 * weights from disk is `@retina/fpn/node` (node.ts), which re-exports all of this too.
 */
// tfjs-core's Node bundle ships without gradient functions; tfjs-layers registers all of them.
import '@tensorflow/tfjs-layers';
export { FpnConfigError, FeatureShapeError, PretrainedWeightsError } from './errors';
export { ParamStore, type Init, type Param, type ParamKind } from './params';
export { BatchNorm, Conv2d, ConvNorm, GroupNorm, BN_EPS, BN_MOMENTUM, backboneGroups, batchNormTrainingOps, type ConvOptions, type NormKind } from './layers';
export { batchNormTrainingHost } from './batch-norm-host';
export { withCrossReplica, currentCrossReplica, type CrossReplicaSum } from './cross-replica';
export { resolveBackboneConfig, stageChannels, type BackboneConfig, type BackboneDepth, type ResolvedBackboneConfig } from './resnet-config';
export { Backbone, createBackbone, type BackboneFeatures, type FeatureName } from './resnet';
export { Fpn, buildFpn, resolveFpnConfig, type FpnConfig, type PyramidFeatures, type ResolvedFpnConfig } from './fpn';
export { assignPretrainedBackbone, kerasResNetName, type PretrainedOptions, type PretrainedReport, type ShapeMismatch } from './pretrained';
