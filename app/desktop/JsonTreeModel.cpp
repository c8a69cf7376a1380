#include "JsonTreeModel.h"

#include <QRegularExpression>
#include <QStringList>

namespace berth::app {

struct JsonTreeModel::Node
{
    QString key;       // "Labels", "0" for array items
    QString valueText; // what the Value column shows
    const nlohmann::json* value = nullptr; // in the model's copy of the document
    bool array = false; // the parent is an array: the key is an index
    bool branch = false;
    Node* parent = nullptr;
    int row = 0;
    std::vector<std::unique_ptr<Node>> children;
};

namespace {

// A key as jq writes it after its parent: .Name for identifiers, ["a.b"] otherwise.
QString pathStep(const QString& key)
{
    static const QRegularExpression identifier("^[A-Za-z_][A-Za-z0-9_]*$");
    if (identifier.match(key).hasMatch())
        return "." + key;
    QString quoted = key;
    quoted.replace("\\", "\\\\").replace("\"", "\\\"");
    return "[\"" + quoted + "\"]";
}

// The node's path in jq's syntax, made when asked (a stored path per node would cost the
// square of the depth).
template <typename N> QString pathOf(const N* node)
{
    QStringList steps;
    for (; node && node->parent; node = node->parent)
        steps.prepend(node->array ? "[" + node->key + "]" : pathStep(node->key));
    return steps.join(QString());
}

QString scalarText(const nlohmann::json& value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    return QString::fromStdString(value.dump());
}

} // namespace

JsonTreeModel::JsonTreeModel(QObject* parent) : QAbstractItemModel(parent), m_root(std::make_unique<Node>()) {}

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::setDocument(nlohmann::json document)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->branch = true;
    // Builds iteratively deep documents without recursion limits: each entry is a node to fill
    // from a JSON value.
    m_document = std::move(document);
    std::vector<std::pair<Node*, const nlohmann::json*>> pending{{m_root.get(), &m_document}};
    while (!pending.empty()) {
        auto [node, value] = pending.back();
        pending.pop_back();
        node->value = value;
        if (!value->is_object() && !value->is_array()) {
            node->valueText = scalarText(*value);
            continue;
        }
        node->branch = true;
        node->valueText = value->is_object() ? QString("{%1 %2}").arg(value->size()).arg(value->size() == 1 ? "key" : "keys")
                                             : QString("[%1 %2]").arg(value->size()).arg(value->size() == 1 ? "item" : "items");
        int row = 0;
        for (auto it = value->begin(); it != value->end(); ++it, ++row) {
            auto child = std::make_unique<Node>();
            child->parent = node;
            child->row = row;
            child->array = value->is_array();
            child->key = child->array ? QString::number(row) : QString::fromStdString(it.key());
            pending.emplace_back(child.get(), &*it);
            node->children.push_back(std::move(child));
        }
    }
    endResetModel();
}

QModelIndexList JsonTreeModel::find(const QString& text) const
{
    QModelIndexList found;
    if (text.isEmpty())
        return found;
    std::vector<const Node*> stack;
    for (auto it = m_root->children.rbegin(); it != m_root->children.rend(); ++it)
        stack.push_back(it->get());
    while (!stack.empty()) {
        const Node* node = stack.back();
        stack.pop_back();
        if (node->key.contains(text, Qt::CaseInsensitive) ||
            (!node->branch && node->valueText.contains(text, Qt::CaseInsensitive)))
            found << createIndex(node->row, Key, const_cast<Node*>(node));
        for (auto it = node->children.rbegin(); it != node->children.rend(); ++it)
            stack.push_back(it->get());
    }
    return found;
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    const Node* node = parent.isValid() ? static_cast<const Node*>(parent.internalPointer()) : m_root.get();
    if (parent.isValid() && parent.column() != Key)
        return {};
    if (row >= static_cast<int>(node->children.size()))
        return {};
    return createIndex(row, column, node->children[static_cast<std::size_t>(row)].get());
}

QModelIndex JsonTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const Node* node = static_cast<const Node*>(child.internalPointer());
    if (!node->parent || node->parent == m_root.get())
        return {};
    return createIndex(node->parent->row, Key, node->parent);
}

int JsonTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != Key)
        return 0;
    const Node* node = parent.isValid() ? static_cast<const Node*>(parent.internalPointer()) : m_root.get();
    return static_cast<int>(node->children.size());
}

int JsonTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* node = static_cast<const Node*>(index.internalPointer());
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == Key ? node->key : node->valueText;
    case Qt::ToolTipRole:
    case PathRole:
        return pathOf(node);
    case CopyValueRole:
        return node->branch ? QString::fromStdString(node->value->dump()) : node->valueText;
    case IsBranchRole:
        return node->branch;
    default:
        return {};
    }
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == Key ? tr("Key") : tr("Value");
}

} // namespace berth::app
