"""Generate a deterministic synthetic notebook for benchmarking `kb`.

    python tests/bench/gen_notebook.py OUT_DIR [--notes 10000] [--seed 0] [--manifest FILE]

The notebook looks like the real one: chapter folders `chNN/` (each with `_category_.yml`) and a
`papers/` folder, notes named `[N]slug.md` with YAML front matter (title, tags from a 40-word
vocabulary, aliases, authors, and for paper notes `status`, `tldr` and a `paper:` block), mixed
Chinese/English prose, headings, lists, tables, `$…$` math, fenced Python code, relative links between
the generated notes (`./[3]slug.md`, `../ch07/[12]slug.md`), wiki links and arXiv links. The top of
the notebook has `tags.yml`, `authors.yml` and `synonyms.yml`.

Sizes follow a clipped log-normal distribution with a mean of about 7.8 KB, so 10,000 notes make
about 78 MB. About one note in 200 mentions ResNet (`resnet`, `ResNet-50`, …); no other note, file
name or link contains the string `resnet`, so `rg -il resnet` lists exactly those notes.

The same `--notes` and `--seed` always give byte-identical files. Prose is drawn from a pool of
sentences built once per run from the word lists below, which is what makes 10,000 notes take only
a few seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1
MEAN_NOTE_BYTES = 7800  # what the notes average; the body budgets below are calibrated to it
BUDGET_MEAN = 6850  # mean body budget: front matter, links and the last block's overshoot add the rest
MIN_NOTE_BYTES, MAX_NOTE_BYTES = 700, 120_000
RESNET_EVERY = 200

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

TAGS = {
    "basics": "入门与基础概念", "math": "数学推导", "linear-model": "线性模型", "optimization": "优化器与学习率",
    "regularization": "正则化", "activation": "激活函数", "initialization": "参数初始化",
    "training": "训练技巧", "cnn": "卷积神经网络", "convolution": "卷积运算", "pooling": "池化",
    "normalization": "归一化", "classification": "图像分类", "detection": "目标检测",
    "segmentation": "语义分割与实例分割", "style-transfer": "风格迁移", "attention": "注意力机制",
    "transformer": "Transformer 及其变体", "residual": "残差连接", "multi-scale": "多尺度特征",
    "encoder-decoder": "编码器—解码器", "lightweight": "轻量化网络", "reparameterization": "结构重参数化",
    "real-time": "实时推理", "data-augmentation": "数据增广", "anchor": "锚框", "embedding": "嵌入与表示",
    "low-light": "低光照增强", "image-enhancement": "图像增强与复原", "signal-processing": "信号处理",
    "pytorch": "PyTorch 实践", "framework": "深度学习框架", "research": "读论文与做研究", "nlp": "自然语言处理",
    "self-supervised": "自监督学习", "generative": "生成模型", "distillation": "知识蒸馏",
    "quantization": "量化与剪枝", "video": "视频理解", "3d": "三维视觉",
}

AUTHORS = {
    "kb": ("kb 编者", "kb 笔记本的维护者"),
    "lin": ("林一", "读论文小组"),
    "chen": ("陈二", "视觉方向"),
    "wang": ("王三", "轻量化与部署"),
    "zhao": ("赵四", "NLP 与 Transformer"),
}

SYNONYMS = [
    ["残差网络", "residual network", "deep residual learning"],
    ["BN", "batch normalization", "batch norm", "批量归一化"],
    ["LN", "layer normalization", "layer norm", "层归一化"],
    ["ViT", "vision transformer", "视觉 Transformer"],
    ["FPN", "feature pyramid network", "特征金字塔"],
    ["NMS", "non-maximum suppression", "非极大值抑制"],
    ["IoU", "intersection over union", "交并比"],
    ["注意力机制", "attention mechanism", "attention"],
]

ZH_NOUNS = """
残差网络 卷积 注意力机制 自注意力 多头注意力 交叉注意力 卷积核 感受野 特征图 通道 步幅 填充 池化 最大池化
平均池化 全局平均池化 批量归一化 层归一化 组归一化 实例归一化 激活函数 非线性 梯度 梯度消失 梯度爆炸
反向传播 前向传播 损失函数 交叉熵 均方误差 优化器 随机梯度下降 动量 学习率 学习率衰减 余弦退火 学习率预热
权重衰减 正则化 丢弃法 数据增广 随机裁剪 水平翻转 颜色抖动 混合增强 标签平滑 知识蒸馏 教师模型 学生模型
迁移学习 微调 预训练 自监督学习 对比学习 掩码建模 编码器 解码器 编码器—解码器 跳跃连接 残差连接 恒等映射
瓶颈结构 倒残差 深度可分离卷积 逐点卷积 分组卷积 空洞卷积 转置卷积 上采样 下采样 特征金字塔 多尺度特征
语义分割 实例分割 全景分割 目标检测 图像分类 关键点检测 锚框 非极大值抑制 交并比 边界框回归 候选区域
单阶段检测器 两阶段检测器 特征融合 通道注意力 空间注意力 位置编码 词嵌入 嵌入向量 序列建模 循环神经网络
长短期记忆网络 门控循环单元 前馈网络 视觉Transformer 图像块 分类头 主干网络 颈部网络 检测头 参数量 计算量
推理速度 吞吐量 显存占用 模型压缩 剪枝 量化 结构重参数化 神经架构搜索 轻量化网络 移动端部署 张量 标量 向量
矩阵乘法 自动微分 计算图 数据集 训练集 验证集 测试集 小批量 过拟合 欠拟合 泛化能力 偏差 方差 模型选择
交叉验证 超参数 参数初始化 数值稳定性 softmax回归 线性回归 多层感知机 隐藏层 输出层 全连接层 特征提取
表示学习 感知机 决策边界 概率分布 最大似然估计 信息熵 KL散度 风格迁移 内容损失 风格损失 格拉姆矩阵
生成对抗网络 生成器 判别器 扩散模型 变分自编码器 潜在空间 低光照增强 图像复原 超分辨率 去噪 信号处理
采样定理 频域 傅里叶变换 卷积定理 滤波器 冲激响应 平移不变性 局部性 权重共享 归纳偏置 长程依赖 全局上下文
特征重标定 挤压激励模块 密集连接 网络宽度 网络深度 输入分辨率 复合缩放 收敛速度 损失曲面 鞍点 局部最优
批量大小 梯度裁剪 混合精度训练 分布式训练 数据并行 模型并行 检查点 推理延迟 基准测试 消融实验 对照实验
准确率 召回率 精确率 平均精度 评价指标 混淆矩阵 类别不平衡 焦点损失 难例挖掘 正负样本 标注数据 伪标签
半监督学习 弱监督学习 域适应 数据分布 分布偏移 长尾分布 特征对齐 注意力图 相似度矩阵 温度系数 投影头
动量编码器 负样本队列 图像增强 视频理解 时序建模 光流 三维卷积 点云 深度估计 姿态估计 人脸识别 度量学习
三元组损失 检索 召回 排序 语言模型 分词 词表 上下文窗口 掩码语言模型 自回归 解码策略 束搜索 提示词
指令微调 低秩适配 参数高效微调 量化感知训练 训练后量化 稀疏化 通道剪枝 结构化剪枝 蒸馏损失 特征蒸馏
硬件友好 访存开销 算子融合 并行度 内存带宽 卷积层 残差块 注意力块 编码层 解码层 跨层连接 门控机制
""".split()

ZH_VERBS = """
提取 融合 压缩 扩展 替换 堆叠 聚合 重标定 建模 缓解 加速 降低 提升 学习 预测 回归 分类 分割 检测 对齐
采样 映射 拼接 相加 共享 复用 裁剪 蒸馏 初始化 优化 约束 惩罚 平滑 放大 抑制 捕获 编码 解码 重构 归一化
展平 投影 加权 筛选 估计 逼近 近似 分解 替代 简化
""".split()

ZH_ADJ = """
更深的 更宽的 轻量的 高效的 稀疏的 稠密的 局部的 全局的 多尺度的 可学习的 固定的 随机的 对称的 线性的
非线性的 可分离的 分组的 动态的 静态的 端到端的 自适应的 层次化的 紧凑的 冗余的 鲁棒的 低秩的
""".split()

EN_PHRASES = """residual block|skip connection|feature map|receptive field|attention head|backbone|bottleneck
|stride|kernel size|zero padding|layer norm|batch norm|dropout|optimizer|learning rate|linear warmup
|label smoothing|mixup|cutout|data augmentation|token embedding|patch embedding|encoder|decoder|gradient
|training loss|logits|softmax|cross-entropy|inference latency|throughput|FLOPs|parameter count|top-1 accuracy
|identity shortcut|depthwise convolution|pointwise convolution|linear projection|query and key|value vectors
|positional encoding|classification head|detection neck|anchor box|region proposal|instance mask|heatmap
|keypoint|bilinear upsampling|strided downsampling|feature pyramid|channel attention|spatial attention
|weight decay|momentum|cosine schedule|checkpoint|baseline|ablation|benchmark|inductive bias|global context
""".replace("\n", "").split("|")

EN_VERBS = """improves reduces replaces stacks fuses aggregates normalizes projects compresses expands
recalibrates stabilizes accelerates regularizes predicts refines shares reuses approximates decomposes""".split()

EN_ADJ = """deeper wider lightweight efficient sparse dense local global multi-scale learnable dynamic adaptive
hierarchical compact robust low-rank separable grouped linear non-linear""".split()

MODELS = """
LeNet-5 AlexNet VGG-16 VGG-19 GoogLeNet Inception-v3 Inception-v4 DenseNet-121 DenseNet-169 MobileNetV1
MobileNetV2 MobileNetV3-Large EfficientNet-B0 EfficientNet-B4 ShuffleNetV2 SqueezeNet Xception ViT-B/16
ViT-L/14 DeiT-S Swin-T Swin-B ConvNeXt-T ConvNeXt-B U-Net FCN-8s DeepLabv3+ PSPNet Mask-R-CNN Faster-R-CNN
YOLOv3 YOLOv5s YOLOv8n SSD300 RetinaNet FPN DETR Deformable-DETR BERT-base GPT-2 Transformer-XL RepVGG-A0
GhostNet RegNetY-4GF CSPDarknet53 HRNet-W32 SegFormer-B0 CLIP MAE SimCLR MoCo-v2 BYOL DINO Mask2Former
SENet-154 CBAM ECA-Net SKNet NASNet-A MnasNet EfficientDet-D0 CenterNet FCOS Cascade-R-CNN PointNet
""".split()

DATASETS = "ImageNet COCO CIFAR-10 CIFAR-100 Cityscapes ADE20K Pascal-VOC Kinetics-400 LOL MNIST".split()
OPTIMIZERS = "SGD AdamW Adam RMSprop LAMB Lion".split()
VENUES = "CVPR ICCV ECCV NeurIPS ICML ICLR AAAI TPAMI BMVC WACV".split()
SURNAMES = """Zhang Wang Li Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Smith Johnson
Brown Garcia Miller Davis Martin Lee Kim Park Tanaka Sato Müller Schmidt Rossi Dubois Silva Kumar Singh""".split()
GIVEN = """Wei Jing Lei Yu Hao Xin Ming Jie Tao Yan Alex Sam Maria Anna David Laura Kenji Yuki Ravi Sofia""".split()

# Concept pairs (Chinese title part, English slug part) for chapter-note titles.
CONCEPTS = [
    ("张量", "tensors"), ("自动微分", "autograd"), ("线性回归", "linear-regression"),
    ("softmax 回归", "softmax-regression"), ("多层感知机", "mlp"), ("激活函数", "activations"),
    ("欠拟合与过拟合", "underfitting-overfitting"), ("权重衰减", "weight-decay"), ("丢弃法", "dropout"),
    ("数值稳定性", "numerical-stability"), ("参数初始化", "initialization"), ("卷积层", "conv-layers"),
    ("填充与步幅", "padding-and-stride"), ("多输入多输出通道", "channels"), ("池化层", "pooling"),
    ("批量归一化", "batch-norm"), ("层归一化", "layer-norm"), ("残差连接", "residual-connections"),
    ("稠密连接", "dense-connections"), ("深度可分离卷积", "depthwise-separable-conv"),
    ("分组卷积", "grouped-conv"), ("空洞卷积", "dilated-conv"), ("转置卷积", "transposed-conv"),
    ("注意力机制", "attention"), ("自注意力", "self-attention"), ("多头注意力", "multi-head-attention"),
    ("位置编码", "positional-encoding"), ("编码器—解码器", "encoder-decoder"), ("视觉 Transformer", "vit"),
    ("图像块嵌入", "patch-embedding"), ("目标检测基础", "detection-basics"), ("锚框", "anchor-boxes"),
    ("非极大值抑制", "nms"), ("交并比", "iou"), ("特征金字塔", "feature-pyramid"), ("语义分割", "semantic-seg"),
    ("实例分割", "instance-seg"), ("全卷积网络", "fcn"), ("上采样", "upsampling"), ("风格迁移", "style-transfer"),
    ("数据增广", "augmentation"), ("标签平滑", "label-smoothing"), ("知识蒸馏", "distillation"),
    ("迁移学习", "transfer-learning"), ("微调", "fine-tuning"), ("学习率调度", "lr-schedules"),
    ("动量法", "momentum"), ("Adam 与 AdamW", "adam-adamw"), ("梯度裁剪", "gradient-clipping"),
    ("混合精度训练", "mixed-precision"), ("分布式训练", "distributed-training"), ("模型量化", "quantization"),
    ("剪枝", "pruning"), ("结构重参数化", "reparameterization"), ("轻量化网络", "lightweight-nets"),
    ("通道注意力", "channel-attention"), ("空间注意力", "spatial-attention"), ("对比学习", "contrastive"),
    ("掩码图像建模", "masked-image-modeling"), ("自监督预训练", "ssl-pretraining"), ("生成对抗网络", "gan"),
    ("扩散模型", "diffusion"), ("变分自编码器", "vae"), ("低光照增强", "low-light"), ("超分辨率", "super-resolution"),
    ("图像去噪", "denoising"), ("信号与系统", "signals-and-systems"), ("采样定理", "sampling"),
    ("傅里叶变换", "fourier"), ("卷积与滤波", "convolution-as-filtering"), ("数据集与数据加载", "datasets"),
    ("训练循环", "training-loop"), ("保存与加载模型", "save-load"), ("GPU 与设备", "devices"),
    ("感受野", "receptive-field"), ("平移不变性", "translation-invariance"), ("归纳偏置", "inductive-bias"),
    ("长程依赖", "long-range-dependency"), ("循环神经网络", "rnn"), ("长短期记忆网络", "lstm"),
    ("词嵌入", "word-embedding"), ("语言模型", "language-model"), ("束搜索", "beam-search"),
    ("度量学习", "metric-learning"), ("三元组损失", "triplet-loss"), ("焦点损失", "focal-loss"),
    ("类别不平衡", "class-imbalance"), ("长尾分布", "long-tail"), ("域适应", "domain-adaptation"),
    ("半监督学习", "semi-supervised"), ("伪标签", "pseudo-labels"), ("光流", "optical-flow"),
    ("视频理解", "video"), ("点云", "point-cloud"), ("深度估计", "depth-estimation"), ("姿态估计", "pose"),
    ("神经架构搜索", "nas"), ("复合缩放", "compound-scaling"), ("推理部署", "deployment"), ("算子融合", "op-fusion"),
]
TITLE_FORMS = [("{a}与{b}", "{a}-and-{b}"), ("{a}中的{b}", "{b}-in-{a}"), ("从{a}到{b}", "from-{a}-to-{b}"),
               ("{a}：{b}的视角", "{a}-via-{b}"), ("再谈{a}与{b}", "{a}-{b}-revisited")]

PAPER_ADJ = """Sparse Dense Efficient Lightweight Dynamic Adaptive Hierarchical Deformable Scalable Robust
Compact Unified Simple Deep Shallow Gated Recurrent Progressive Decoupled Cascaded Masked Contrastive Global
Local Multi-Scale Cross-Modal Self-Supervised Semi-Supervised Weakly-Supervised Frequency-Aware Boundary-Aware
Context-Aware Structure-Aware Re-parameterized Implicit Explicit""".split()
PAPER_METHOD = """Attention Convolution Transformer Pooling Normalization Distillation Pruning Quantization
Aggregation Fusion Calibration Routing Tokenization Embedding Projection Decoding Encoding Alignment Matching
Sampling Augmentation Regularization Shortcut Bottleneck Pyramid Graph Memory Prompt Adapter Mixer""".split()
PAPER_NOUN = "Networks Learning Blocks Models Representations Features Modules Layers Heads Priors".split()
PAPER_TASK = """Image Classification|Object Detection|Semantic Segmentation|Instance Segmentation|Image Restoration
|Low-Light Enhancement|Super-Resolution|Video Recognition|Depth Estimation|Pose Estimation|Visual Tracking
|Image Retrieval|Face Recognition|Point Cloud Understanding|Scene Parsing|Style Transfer|Image Denoising
|Mobile Vision|Real-Time Detection|Medical Image Segmentation|Remote Sensing|Few-Shot Learning
|Domain Adaptation|Long-Tailed Recognition|Dense Prediction|Visual Question Answering|Language Modeling
|Machine Translation|Speech Recognition|Representation Learning""".replace("\n", "").split("|")

RESNET_SENTENCES = [
    "我们以 ResNet-50 作为 backbone，其余设置与原论文保持一致。",
    "在 ResNet-101 上复现时，top-1 准确率比论文低了约 0.3%。",
    "对照组直接使用 torchvision 的 resnet50 预训练权重。",
    " The baseline is a ResNet-50 trained for 90 epochs with SGD.",
    "把 ResNet-18 的 basic block 换成这里的模块后，参数量只增加了 2%。",
    " Compared with ResNet-34, the proposed block keeps the same FLOPs.",
]
RESNET_CODE = '''```python
import torch
import torchvision

model = torchvision.models.resnet50(weights=None)
x = torch.randn(2, 3, 224, 224)
print(model(x).shape)  # torch.Size([2, 1000])
```'''

# --------------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Plan:
    """One note to be written: where it goes and what it is about."""

    index: int
    folder: str
    order: int
    slug: str
    title: str
    is_paper: bool
    tags: list[str] = field(default_factory=list)
    mentions_resnet: bool = False

    @property
    def path(self) -> str:
        """Path relative to the notebook root, e.g. `ch03/[7]attention-and-nms.md`."""
        return f"{self.folder}/[{self.order}]{self.slug}.md"


class Pools:
    """Pre-built sentences, code blocks and other snippets that note bodies are assembled from."""

    def __init__(self, rng: random.Random, sentences: int = 24000, code_blocks: int = 600):
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(sentences)]
        self.code = [self._code_block() for _ in range(code_blocks)]
        self.headings = [self._heading() for _ in range(600)]
        self.list_items = [self._zh_sentence().rstrip("。") for _ in range(3000)]
        self.tldrs = [self._en_sentence().strip() for _ in range(2000)]
        for text in (*self.sentences, *self.code, *self.headings, *self.list_items, *self.tldrs):
            if "resnet" in text.lower():  # pragma: no cover - guards the word lists above
                raise AssertionError(f"vocabulary leaks 'resnet': {text!r}")

    # ---- prose --------------------------------------------------------------------------------
    def _gain(self) -> str:
        return f"{self.rng.uniform(0.1, 5):.1f}%"

    def _pct(self) -> str:
        return f"{self.rng.uniform(55, 92):.1f}%"

    def _zh_sentence(self) -> str:
        r = self.rng
        n, v, a, m, e = (lambda: r.choice(ZH_NOUNS)), (lambda: r.choice(ZH_VERBS)), (lambda: r.choice(ZH_ADJ)), \
            (lambda: r.choice(MODELS)), (lambda: r.choice(EN_PHRASES))
        forms = [
            lambda: f"{n()}是{n()}中最常用的{n()}之一。",
            lambda: f"在 {m()} 中，作者用{a()}{n()}替换了原来的{n()}，准确率提升了 {self._gain()}。",
            lambda: f"直观地说，{n()}相当于对{n()}做了一次{v()}。",
            lambda: f"如果去掉{n()}，{n()}会明显变差，这说明{n()}对 {e()} 很关键。",
            lambda: f"训练时使用 {r.choice(OPTIMIZERS)}，学习率设为 {r.choice(['1e-3', '3e-4', '0.1', '0.01'])}，"
                    f"batch size 为 {r.choice([32, 64, 128, 256, 1024])}，共训练 {r.choice([90, 100, 300, 600])} 个 epoch。",
            lambda: f"{n()}的核心思想是先{v()}{n()}，再{v()}{n()}。",
            lambda: f"与 {m()} 相比，这里的{n()}参数量只有 {r.uniform(0.5, 90):.1f}M，计算量约 {r.uniform(0.1, 20):.1f} GFLOPs。",
            lambda: f"注意 {e()} 和 {e()} 的区别：前者{v()}{n()}，后者{v()}{n()}。",
            lambda: f"在 {r.choice(DATASETS)} 上，{m()} 的 top-1 准确率达到了 {self._pct()}。",
            lambda: f"{a().rstrip('的')}{n()}往往能{v()}{n()}，但也会带来额外的{n()}。",
            lambda: f"这一节我们用{n()}来理解{n()}，并顺便回顾{n()}。",
            lambda: f"{n()}、{n()}和{n()}这三者经常一起出现。",
            lambda: f"实验表明，{n()}对{n()}并不敏感，把它{v()}到一半几乎不影响结果。",
            lambda: f"为什么要{v()}{n()}？因为{n()}在{a()}{n()}上容易失效。",
            lambda: f"很多实现里 {e()} 被写成{n()}，其实二者并不完全等价。",
            lambda: f"公式上，{n()}可以写成 $y = f(x) + x$ 的形式，其中 $f$ 表示{n()}。",
            lambda: f"消融实验中，{v()}{n()}带来了 {self._gain()} 的提升。",
            lambda: f"{m()} 之后，{n()}几乎成了{n()}的标配。",
            lambda: f"复现时最容易踩的坑是{n()}：{n()}的默认值和论文并不一致。",
            lambda: f"我们也尝试了{a()}{n()}，但收敛速度明显变慢。",
        ]
        return r.choice(forms)()

    def _en_sentence(self) -> str:
        r = self.rng
        e, m, v, a = (lambda: r.choice(EN_PHRASES)), (lambda: r.choice(MODELS)), (lambda: r.choice(EN_VERBS)), \
            (lambda: r.choice(EN_ADJ))
        forms = [
            lambda: f"The {a()} {e()} {v()} the {e()} without changing the {e()}.",
            lambda: f"We train {m()} for {r.choice([90, 100, 300])} epochs with {r.choice(OPTIMIZERS)} "
                    "and a cosine schedule.",
            lambda: f"On {r.choice(DATASETS)}, {m()} reaches {self._pct()} with {r.uniform(1, 90):.1f}M parameters.",
            lambda: f"A {a()} {e()} is cheaper than a {a()} {e()} at the same {e()}.",
            lambda: f"In short, the {e()} {v()} the {e()}.",
            lambda: f"This matches the observation in {m()} that the {e()} matters more than the {e()}.",
            lambda: f"Removing the {e()} costs {r.uniform(0.1, 4):.1f} points on {r.choice(DATASETS)}.",
            lambda: f"Note that {m()} uses a {a()} {e()} here, not a {e()}.",
        ]
        return " " + r.choice(forms)()

    def _sentence(self) -> str:
        return self._en_sentence() if self.rng.random() < 0.25 else self._zh_sentence()

    def _heading(self) -> str:
        r = self.rng
        forms = [lambda: r.choice(["方法", "实验", "动机", "小结", "相关工作", "实现细节", "复现记录", "讨论",
                                   "Motivation", "Method", "Experiments", "Ablation", "Takeaways"]),
                 lambda: f"{r.choice(ZH_NOUNS)}",
                 lambda: f"{r.choice(ZH_NOUNS)}与{r.choice(ZH_NOUNS)}",
                 lambda: f"为什么需要{r.choice(ZH_NOUNS)}",
                 lambda: f"{r.choice(EN_PHRASES).capitalize()} in {r.choice(MODELS)}"]
        return r.choice(forms)()

    # ---- code ---------------------------------------------------------------------------------
    def _code_block(self) -> str:
        r = self.rng
        name = r.choice(PAPER_ADJ).replace("-", "") + r.choice(PAPER_METHOD)
        c_in, c_out = r.choice([16, 32, 64, 128, 256]), r.choice([32, 64, 128, 256, 512])
        k = r.choice([1, 3, 5, 7])
        act = r.choice(["ReLU", "ReLU6", "GELU", "SiLU", "Hardswish"])
        fn = r.choice(["conv1d", "correlate", "moving_average", "smooth"])
        forms = [
            f'''import torch
from torch import nn


class {name}Block(nn.Module):
    """{r.choice(EN_PHRASES)} block used in this note."""

    def __init__(self, in_ch={c_in}, out_ch={c_out}, stride={r.choice([1, 2])}):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, {k}, stride, {k // 2}, bias=False)
        self.bn = nn.BatchNorm2d(out_ch)
        self.act = nn.{act}()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


x = torch.randn({r.choice([1, 2, 8])}, {c_in}, {r.choice([32, 56, 112])}, {r.choice([32, 56, 112])})
print({name}Block()(x).shape)''',
            f'''def train_epoch(model, loader, optimizer, loss_fn, device="cuda"):
    model.train()
    total = 0.0
    for step, (x, y) in enumerate(loader):
        x, y = x.to(device), y.to(device)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), {r.choice([0.5, 1.0, 5.0])})
        optimizer.step()
        total += loss.item()
        if step % {r.choice([10, 50, 100])} == 0:
            print(f"step {{step}}: loss {{loss.item():.4f}}")
    return total / len(loader)''',
            f'''import numpy as np


def {fn}(x, w):
    """Valid 1-D correlation of x with a kernel of size {k}."""
    n = len(x) - len(w) + 1
    return np.array([np.dot(x[i:i + len(w)], w) for i in range(n)])


x = np.arange({r.choice([8, 16, 32])}, dtype=np.float32)
print(np.round({fn}(x, np.full({k}, {r.uniform(0.1, 2):.2f})), 3))''',
            f'''import torch
import torch.nn.functional as F


def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    return F.softmax(scores, dim=-1) @ v


q = k = v = torch.randn({r.choice([1, 2, 4])}, {r.choice([4, 8, 12])}, {r.choice([16, 49, 196])}, {r.choice([32, 64])})
print(attention(q, k, v).shape)''',
            f'''from torch import nn

model = nn.Sequential(
    nn.Conv2d(3, {c_in}, {k}, padding={k // 2}), nn.BatchNorm2d({c_in}), nn.{act}(),
    nn.MaxPool2d(2),
    nn.Conv2d({c_in}, {c_out}, 3, padding=1), nn.BatchNorm2d({c_out}), nn.{act}(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear({c_out}, {r.choice([10, 100, 1000])}),
)
print(sum(p.numel() for p in model.parameters()))''',
            f'''import torch

optimizer = torch.optim.{r.choice(["SGD", "AdamW", "Adam"])}(
    model.parameters(), lr={r.choice(["0.1", "1e-3", "3e-4"])}, weight_decay={r.choice(["1e-4", "5e-4", "0.05"])})
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={r.choice([90, 100, 300])})
for epoch in range({r.choice([90, 100, 300])}):
    train_epoch(model, train_loader, optimizer, loss_fn)
    scheduler.step()''',
        ]
        return "```python\n" + r.choice(forms) + "\n```"


def _lognormal_size(rng: random.Random) -> int:
    sigma = 0.75
    mu = math.log(BUDGET_MEAN) - sigma * sigma / 2 - 0.02  # -0.02: corrects for the clipping
    return int(min(MAX_NOTE_BYTES, max(MIN_NOTE_BYTES, rng.lognormvariate(mu, sigma))))


def _arxiv_id(rng: random.Random, year: int) -> str:
    return f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 19999):05d}"


def _rel_link(src: Plan, dst: Plan) -> str:
    name = f"[{dst.order}]{dst.slug}.md"
    return f"./{name}" if src.folder == dst.folder else f"../{dst.folder}/{name}"


# --------------------------------------------------------------------------------------------------
# Planning and writing
# --------------------------------------------------------------------------------------------------


def plan_notebook(rng: random.Random, n_notes: int) -> tuple[list[Plan], int]:
    """Decide every note's folder, order, title and slug; returns (plans, number of chapters)."""
    n_chapters = max(1, min(40, round(n_notes / 250)))
    n_chapter_notes = int(n_notes * 0.45) if n_notes >= 4 else n_notes // 2
    titles: set[str] = set()
    slugs: set[str] = set()
    plans: list[Plan] = []

    chapter_counts = [0] * n_chapters
    for _ in range(n_chapter_notes):
        ch = rng.randrange(n_chapters)
        chapter_counts[ch] += 1
    for ch, count in enumerate(chapter_counts, 1):
        for order in range(1, count + 1):
            for attempt in range(1000):
                (za, ea), (zb, eb) = rng.sample(CONCEPTS, 2)
                zform, eform = rng.choice(TITLE_FORMS)
                title = zform.format(a=za, b=zb)
                slug = eform.format(a=ea, b=eb)
                if attempt > 50:  # the combinations run out only for huge notebooks
                    title, slug = f"{title}（{attempt}）", f"{slug}-{attempt}"
                if title.casefold() not in titles and slug not in slugs:
                    break
            titles.add(title.casefold())
            slugs.add(slug)
            plans.append(Plan(len(plans), f"ch{ch:02d}", order, slug, title, False))
    for order in range(1, n_notes - n_chapter_notes + 1):
        for attempt in range(1000):
            title = (f"{rng.choice(PAPER_ADJ)} {rng.choice(PAPER_METHOD)} {rng.choice(PAPER_NOUN)} "
                     f"for {rng.choice(PAPER_TASK)}")
            if attempt > 50:
                title += f" {attempt}"
            slug = title.replace(" ", "-")
            if title.casefold() not in titles and slug not in slugs:
                break
        titles.add(title.casefold())
        slugs.add(slug)
        plans.append(Plan(len(plans), "papers", order, slug, title, True))

    tag_names = list(TAGS)
    for plan in plans:
        plan.tags = rng.sample(tag_names, rng.randint(1, 5))
    n_resnet = max(1, round(n_notes / RESNET_EVERY))
    for plan in rng.sample(plans, n_resnet):
        plan.mentions_resnet = True
    return plans, n_chapters


def _front_matter(rng: random.Random, plan: Plan, paper_year: int, arxiv: str, pools: Pools) -> str:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML scalar  # noqa: E731
    lines = ["---", f"title: {q(plan.title)}"]
    if rng.random() < 0.7:
        lines.append(f"tags: [{', '.join(plan.tags)}]")
    else:
        lines.append(f"tags: {', '.join(plan.tags)}")
    lines.append(f"authors: [{', '.join(rng.sample(list(AUTHORS), rng.randint(1, 2)))}]")
    aliases = []
    if plan.is_paper:
        words = plan.title.split(" for ")[0].replace("-", " ").split()
        aliases.append("".join(w[0] for w in words).upper() + rng.choice(["", "-Net", "Net", "Former"]))
    for _ in range(rng.randint(0, 2)):
        aliases.append(rng.choice([rng.choice(ZH_NOUNS), rng.choice(EN_PHRASES)]))
    if aliases:
        lines.append(f"aliases: [{', '.join(q(a) for a in aliases)}]")
    has_paper = rng.random() < (0.9 if plan.is_paper else 0.05)
    if plan.is_paper:
        lines.append(f"status: {rng.choice(['to-read', 'reading', 'read', 'read'])}")
        lines.append(f"tldr: {q(rng.choice(pools.tldrs))}")
    if has_paper:
        authors = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(rng.randint(1, 6))]
        lines += ["paper:", f"  title: {q(plan.title)}", f"  authors: [{', '.join(q(a) for a in authors)}]",
                  f"  year: {paper_year}", f"  venue: {rng.choice(VENUES)}", f"  arxiv: \"{arxiv}\""]
    lines.append(f"added: {2024 + rng.randint(0, 2)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def _body(rng: random.Random, plan: Plan, plans: list[Plan], pools: Pools, budget: int, arxiv: str,
          same_folder: dict[str, list[Plan]]) -> str:
    blocks: list[str] = []
    paragraph_at: list[int] = []
    size = 0

    def add(block: str, paragraph: bool = False) -> None:
        nonlocal size
        if paragraph:
            paragraph_at.append(len(blocks))
        blocks.append(block)
        size += len(block.encode("utf-8")) + 2

    if plan.is_paper:
        add(f"论文链接：[arXiv:{arxiv}](https://arxiv.org/abs/{arxiv})。", paragraph=True)
    else:
        add(f"# {plan.title}")
    sentences = pools.sentences
    while size < budget:
        roll = rng.random()
        if roll < 0.62:
            add("".join(rng.choices(sentences, k=rng.randint(2, 7))).strip(), paragraph=True)
        elif roll < 0.74:
            add(f"{rng.choice(['##', '##', '###'])} {rng.choice(pools.headings)}")
        elif roll < 0.84:
            add("\n".join(f"- {item}" for item in rng.sample(pools.list_items, rng.randint(2, 6))))
        elif roll < 0.95:
            add(rng.choice(pools.code))
        elif roll < 0.98:
            rows = [f"| {rng.choice(MODELS)} | {rng.uniform(1, 90):.1f} | {rng.uniform(60, 90):.1f} |"
                    for _ in range(rng.randint(2, 6))]
            add("| 模型 | 参数量 (M) | top-1 (%) |\n|---|---|---|\n" + "\n".join(rows))
        else:
            add(f"$$\n\\mathcal{{L}} = -\\sum_i y_i \\log p_i + {rng.uniform(1e-5, 1e-3):.5f}\\,\\|w\\|_2^2\n$$")
    if not paragraph_at:
        add("".join(rng.choices(sentences, k=2)).strip(), paragraph=True)

    def append_to_paragraph(text: str) -> None:
        at = rng.choice(paragraph_at)
        blocks[at] += text

    # Internal links: mostly to neighbours in the same folder, some anywhere in the notebook.
    neighbours = same_folder[plan.folder]
    for _ in range(rng.randint(1, 4) + len(blocks) // 12):
        if rng.random() < 0.6 and len(neighbours) > 1:
            target = neighbours[min(len(neighbours) - 1, max(0, plan.order - 1 + rng.randint(-5, 5)))]
        else:
            target = rng.choice(plans)
        if target is plan:
            continue
        form = rng.random()
        href = _rel_link(plan, target)
        if form < 0.1:
            href = href[:-3]  # without the extension
        elif form < 0.15:
            href += "#方法"
        label = target.title if rng.random() < 0.7 else rng.choice(ZH_NOUNS)
        append_to_paragraph(rng.choice(["参见 [{l}]({h})。", "前面在 [{l}]({h}) 里讲过。", " See [{l}]({h})."])
                            .format(l=label, h=href))
    if rng.random() < 0.1:
        target = rng.choice(plans)
        if target is not plan:
            append_to_paragraph(f"相关笔记：[[{target.title}]]。")
    for _ in range(rng.randint(0, 3)):
        other = _arxiv_id(rng, rng.randint(2012, 2024))
        url = rng.choice([f"https://arxiv.org/abs/{other}", f"https://arxiv.org/pdf/{other}v2"])
        append_to_paragraph(f"原文见 [arXiv:{other}]({url})。")
    if plan.mentions_resnet:
        for _ in range(rng.randint(1, 3)):
            append_to_paragraph(rng.choice(RESNET_SENTENCES))
        if rng.random() < 0.5:
            blocks.append(RESNET_CODE)
    return "\n\n".join(blocks) + "\n"


def generate(out_dir: Path, n_notes: int = 10000, seed: int = 0) -> dict:
    """Write a synthetic notebook of `n_notes` notes into `out_dir`; returns a manifest dict.

    The manifest has the parameters, the file and byte counts, and `keyword_notes`: the paths of the
    notes that mention ResNet (the notes `rg -il resnet` must list).
    """
    if n_notes < 1:
        raise ValueError("need at least one note")
    started = time.perf_counter()
    rng = random.Random(seed)
    pools = Pools(random.Random(seed + 1))
    plans, n_chapters = plan_notebook(rng, n_notes)
    same_folder: dict[str, list[Plan]] = {}
    for plan in plans:
        same_folder.setdefault(plan.folder, []).append(plan)

    out_dir.mkdir(parents=True, exist_ok=True)
    _write(out_dir / "tags.yml", "# Tag vocabulary of the synthetic benchmark notebook.\n"
           + "".join(f"{k}: {v}\n" for k, v in TAGS.items()))
    _write(out_dir / "authors.yml", "".join(f"{k}:\n  name: {n}\n  title: {t}\n" for k, (n, t) in AUTHORS.items()))
    _write(out_dir / "synonyms.yml", "".join(f"- [{', '.join(g)}]\n" for g in SYNONYMS))
    for ch in range(1, n_chapters + 1):
        folder = out_dir / f"ch{ch:02d}"
        folder.mkdir(exist_ok=True)
        label = f"第{ch}章 {rng.choice(CONCEPTS)[0]}与{rng.choice(CONCEPTS)[0]}"
        _write(folder / "_category_.yml", f"label: {json.dumps(label, ensure_ascii=False)}\nposition: {ch}\n")
    (out_dir / "papers").mkdir(exist_ok=True)

    total_bytes = 0
    keyword_notes = []
    sizes = []
    for plan in plans:
        year = rng.randint(2012, 2024)
        arxiv = _arxiv_id(rng, year)
        text = (_front_matter(rng, plan, year, arxiv, pools)
                + _body(rng, plan, plans, pools, _lognormal_size(rng), arxiv, same_folder))
        data = text.encode("utf-8")
        has_keyword = b"resnet" in data.lower()
        if has_keyword != plan.mentions_resnet:  # pragma: no cover - guards the generator itself
            raise AssertionError(f"{plan.path}: resnet mention is {has_keyword}, planned {plan.mentions_resnet}")
        if has_keyword:
            keyword_notes.append(plan.path)
        (out_dir / plan.path).write_bytes(data)
        total_bytes += len(data)
        sizes.append(len(data))
    sizes.sort()
    return {
        "generator_version": GENERATOR_VERSION,
        "notes": n_notes,
        "seed": seed,
        "chapters": n_chapters,
        "paper_notes": sum(p.is_paper for p in plans),
        "total_bytes": total_bytes,
        "size_min": sizes[0], "size_median": sizes[len(sizes) // 2], "size_max": sizes[-1],
        "keyword": "resnet",
        "keyword_notes": sorted(keyword_notes),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: generate the notebook and print a one-line summary."""
    parser = argparse.ArgumentParser(description="Generate a deterministic synthetic kb notebook.")
    parser.add_argument("out_dir", type=Path, help="folder to create (must be empty or missing)")
    parser.add_argument("--notes", type=int, default=10000, help="number of notes (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--manifest", type=Path, help="also write the manifest (JSON) to this file")
    args = parser.parse_args(argv)
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} is not empty; pick a new folder")
    manifest = generate(args.out_dir, args.notes, args.seed)
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"{manifest['notes']} notes ({manifest['paper_notes']} papers, {manifest['chapters']} chapters), "
          f"{manifest['total_bytes'] / 1e6:.1f} MB, sizes {manifest['size_min']}..{manifest['size_max']} B "
          f"(median {manifest['size_median']}), {len(manifest['keyword_notes'])} mention "
          f"{manifest['keyword']!r}, in {manifest['seconds']:.2f} s -> {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
