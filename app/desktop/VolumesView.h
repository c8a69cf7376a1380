#pragma once

#include "TablePage.h"

namespace berth::app {

class EngineService;
class VolumeModel;

// Volumes with their size (from /system/df) and the containers using them; create, remove
// (refused, with the containers named, while any uses the volume) and prune.
class VolumesView final : public TablePage
{
    Q_OBJECT

public:
    VolumesView(EngineService* engine, VolumeModel* model, QWidget* parent = nullptr);

private:
    void create();
    void removeSelected();
    void prune();

    EngineService* m_engine;
    VolumeModel* m_model;
};

} // namespace berth::app
