#pragma once

#include "berth/vm/Settings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace berth::app {

class AgentService;

// The instance's settings as a form: the VM's resources, shared folders, published-port
// address, host access and proxies (settings.json, the same file `berth start --cpus …` changes), and the desktop app's
// startup choices (the login entry, desktop.json). Apply checks everything first and writes
// nothing when anything is wrong; a change the VM only sees at boot offers a restart.
class SettingsPage final : public QWidget
{
    Q_OBJECT

public:
    explicit SettingsPage(AgentService* agent, QWidget* parent = nullptr);

    // Fills the form from the files again, dropping unsaved edits (what Revert does).
    void reload();
    // Adds a row to the shared folders (what Add… does with the chosen folder); a folder already
    // in the list is selected instead. Checked on Apply, not here.
    void addShare(const QString& path, bool readOnly);
    // The text of the message line: the last error or result.
    QString message() const;
    // Edits not yet applied (shown as "● Unsaved changes" beside Revert and Apply).
    bool unsaved() const { return m_isUnsaved; }

public slots:
    void apply();

signals:
    // Apply wrote the settings (before any question about restarting the engine).
    void applied();

private:
    void chooseShare();
    void removeShares();
    void setMessage(const QString& text, bool error);
    vm::Settings formSettings(const vm::Settings& base) const;
    // What keeps the disk from shrinking: the data disk's size in GiB, 0 when there is none yet.
    int dataDiskFloor() const;
    void updateDiskHint();
    void setUnsaved(bool unsaved);
    // Marks the number fields whose value this computer does not allow, and their hints.
    void markRanges();

    AgentService* m_agent;
    QSpinBox* m_cpus;
    QSpinBox* m_memory;
    QSpinBox* m_disk;
    QLabel* m_cpuHint;
    QLabel* m_memoryHint;
    QLabel* m_diskHint;
    QLabel* m_unsaved;
    bool m_loading = false;
    bool m_isUnsaved = false;
    QTableWidget* m_shares;
    QPushButton* m_removeShare;
    QComboBox* m_bindAddress;
    QCheckBox* m_hostAccess;
    QCheckBox* m_hostRegistries;
    QLineEdit* m_httpProxy;
    QLineEdit* m_httpsProxy;
    QLineEdit* m_noProxy;
    QCheckBox* m_containerdStore;
    bool m_storeSwitchConfirmed = false; // while apply() runs again after the user confirmed
    QCheckBox* m_autostart;
    QCheckBox* m_startEngine;
    QLabel* m_message;
    QPushButton* m_apply;
    QPushButton* m_revert;
};

} // namespace berth::app
