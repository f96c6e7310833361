"""Native reference for bench/train.bench.ts: images/s of torchvision RetinaNet train steps and
inference (ResNet-18-FPN from scratch, or a narrow width), synthetic inputs, N threads.
usage: python3 torch_step.py --size 256 --batch 4 --threads 2 --steps 3 [--width 32]
Prints one JSON line."""
import argparse, json, time
import torch
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models import resnet18, resnet50
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

p = argparse.ArgumentParser()
p.add_argument('--size', type=int, default=256)
p.add_argument('--batch', type=int, default=4)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--steps', type=int, default=3)
p.add_argument('--depth', default='18', help="18, 50, or 'narrow' (Retina's narrow model: ResNet-18 layout of --width, FPN --fpn, --head-convs x --head-channels)")
p.add_argument('--width', type=int, default=32)
p.add_argument('--fpn', type=int, default=64)
p.add_argument('--head-convs', type=int, default=2)
p.add_argument('--head-channels', type=int, default=64)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def narrow_resnet(width):
    """torchvision's ResNet-18 with stage widths width x (1, 2, 4, 8): BasicBlock is hard-wired to 64,
    so the stem and the stages are rebuilt from torchvision's own BasicBlock."""
    import torch.nn as nn
    from torchvision.models.resnet import BasicBlock
    body = resnet18()
    body.inplanes = width
    body.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
    body.bn1 = nn.BatchNorm2d(width)
    body.layer1 = body._make_layer(BasicBlock, width, 2)
    body.layer2 = body._make_layer(BasicBlock, width * 2, 2, stride=2)
    body.layer3 = body._make_layer(BasicBlock, width * 4, 2, stride=2)
    body.layer4 = body._make_layer(BasicBlock, width * 8, 2, stride=2)
    return body


if a.depth == 'narrow':
    body, chans, fpn = narrow_resnet(a.width), [a.width * 2, a.width * 4, a.width * 8], a.fpn
else:
    body = resnet18() if a.depth == '18' else resnet50()
    chans, fpn = ([128, 256, 512] if a.depth == '18' else [512, 1024, 2048]), 256
backbone = BackboneWithFPN(body, {'layer2': '0', 'layer3': '1', 'layer4': '2'}, chans, fpn, extra_blocks=LastLevelP6P7(fpn, fpn))
model = RetinaNet(backbone, num_classes=2, min_size=a.size, max_size=a.size)
if a.depth == 'narrow':
    import torch.nn as nn
    def subnet(cin, cout):
        layers = []
        for _ in range(a.head_convs):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU()]
            cin = cout
        return nn.Sequential(*layers)
    head = model.head
    head.classification_head.conv = subnet(fpn, a.head_channels)
    head.classification_head.cls_logits = nn.Conv2d(a.head_channels, head.classification_head.cls_logits.out_channels, 3, padding=1)
    head.regression_head.conv = subnet(fpn, a.head_channels)
    head.regression_head.bbox_reg = nn.Conv2d(a.head_channels, head.regression_head.bbox_reg.out_channels, 3, padding=1)
opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
imgs = [torch.rand(3, a.size, a.size) for _ in range(a.batch)]
tg = [{'boxes': torch.tensor([[20., 30., 120., 150.]]), 'labels': torch.tensor([1])} for _ in range(a.batch)]
model.train()
def step():
    loss = sum(model(imgs, tg).values()); opt.zero_grad(); loss.backward(); opt.step()
step()
t0 = time.time()
for _ in range(a.steps): step()
train = a.batch * a.steps / (time.time() - t0)
model.eval()
with torch.no_grad():
    model(imgs)
    t0 = time.time()
    for _ in range(a.steps): model(imgs)
infer = a.batch * a.steps / (time.time() - t0)
print(json.dumps({'depth': a.depth, 'size': a.size, 'threads': a.threads, 'train_images_per_s': round(train, 3), 'infer_images_per_s': round(infer, 3)}))
