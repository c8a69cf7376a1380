#include "VolumesView.h"

#include "EngineService.h"
#include "ResourceModels.h"

#include <QPushButton>

namespace berth::app {

VolumesView::VolumesView(EngineService* engine, VolumeModel* model, QWidget* parent)
    : TablePage(model, "volumesTable", parent), m_engine(engine), m_model(model)
{
    setObjectName("volumesView");
    connect(addButton("volumesCreate", tr("Create…"), false), &QPushButton::clicked, this,
            &VolumesView::create);
    connect(addButton("volumesRemove", tr("Remove…"), true), &QPushButton::clicked, this,
            &VolumesView::removeSelected);
    addInspectButton("volumesInspect", VolumeModel::NameRole, VolumeModel::NameRole);
    addStretch();
    connect(addButton("volumesPrune", tr("Prune unused…"), false), &QPushButton::clicked, this,
            &VolumesView::prune);
    markDestructive({"volumesRemove", "volumesPrune"});
}

void VolumesView::create()
{
    askName("createVolume", tr("Create volume"), tr("Name of the new volume:"), [this](const QString& name) {
        if (m_model->rowOf(name) >= 0) {
            showError(tr("Create volume"), tr("A volume named %1 already exists.").arg(name));
            return;
        }
        m_engine->request<engine::Volume>(
            this,
            [name = name.toStdString()](engine::Client& client, engine::Callback<engine::Volume> done) {
                engine::VolumeSpec spec;
                spec.name = name;
                return client.createVolume(spec, std::move(done));
            },
            [this](engine::Result<engine::Volume> created) {
                if (!created)
                    showError(tr("Create volume"), QString::fromStdString(created.error().message));
            });
    });
}

void VolumesView::removeSelected()
{
    const auto name = selected(VolumeModel::NameRole).toString();
    if (name.isEmpty())
        return;
    const auto users = m_model->usedBy(name);
    if (!users.isEmpty()) {
        showError(tr("Cannot remove %1").arg(name),
                  tr("The volume is used by %1. Remove those containers first.").arg(users.join(", ")));
        return;
    }
    confirm("confirmRemoveVolume", tr("Remove volume"),
            tr("Remove the volume %1 and all its data?").arg(name), tr("Remove"), [this, name] {
                m_engine->act(
                    this,
                    [name = name.toStdString()](engine::Client& client, engine::Done done) {
                        return client.removeVolume(name, false, std::move(done));
                    },
                    [this, name](engine::Status status) {
                        if (!status)
                            showError(tr("Cannot remove %1").arg(name),
                                      QString::fromStdString(status.error().message));
                    });
            });
}

void VolumesView::prune()
{
    confirm("confirmPruneVolumes", tr("Prune volumes"),
            tr("Remove every volume no container uses, named ones included, with their data?"), tr("Prune"),
            [this] {
                m_engine->request<engine::PruneReport>(
                    this,
                    [](engine::Client& client, engine::Callback<engine::PruneReport> done) {
                        return client.pruneVolumes(true, {}, std::move(done));
                    },
                    [this](engine::Result<engine::PruneReport> report) {
                        if (!report) {
                            showError(tr("Prune volumes"), QString::fromStdString(report.error().message));
                            return;
                        }
                        showPruned(tr("Prune volumes"), *report, tr("volume"), tr("volumes"));
                    });
            });
}

} // namespace berth::app
